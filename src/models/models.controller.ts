import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Auth } from '../auth/auth.decorator.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator.js';
import { API_TAGS } from '../openapi/api-tags.js';
import { ModelDto, ModelListDto } from './dto/model.dto.js';
import { ModelsService } from './models.service.js';

@ApiTags(API_TAGS.models)
@Auth()
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  /**
   * Lists the models.
   *
   * Every model the gateway can route to, as `provider/model` ids, in OpenAI's list
   * format: the configured `<P>_MODELS` lists, or what each provider's discovery found.
   */
  @Get()
  @ApiOkResponse({ type: ModelListDto })
  list(): ModelListDto {
    return this.models.list();
  }

  /**
   * Retrieves one model.
   *
   * By its `provider/model` id; the slash needs no escaping (`/v1/models/openai/gpt-4o-mini`).
   */
  @Get('*id')
  @ApiParam({ name: 'id', description: 'A `provider/model` id.', example: 'openai/gpt-4o-mini' })
  @ApiOkResponse({ type: ModelDto })
  @ApiErrorResponses('models')
  get(@Param('id') id: string | string[]): ModelDto {
    // express hands the rest of the path over as its decoded segments; a trailing slash
    // is no part of the id.
    const joined = Array.isArray(id) ? id.join('/') : id;
    return this.models.get(joined.endsWith('/') ? joined.slice(0, -1) : joined);
  }
}

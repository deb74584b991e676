import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import { Auth } from './auth.decorator.js';
import { CreateKeyDto, UpdateKeyDto } from './dto/create-key.dto.js';
import { CreatedKeyDto, KeyDto, KeyListDto } from './dto/key.dto.js';
import { KeyService } from './key.service.js';

@ApiTags('admin')
@Auth({ admin: true })
@Controller('admin/keys')
export class AdminKeysController {
  constructor(private readonly keys: KeyService) {}

  /**
   * Creates a managed API key. The key (`tg-…`) is in this response only; it works as a
   * bearer token on `/v1/*` at once. Its limits (and its team's) hold on every replica.
   */
  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: CreatedKeyDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  create(@Body() body: CreateKeyDto): Promise<CreatedKeyDto> {
    return this.keys.create(body);
  }

  /** Every managed key, newest first; never a secret. */
  @Get()
  @ApiOkResponse({ type: KeyListDto })
  async list(): Promise<KeyListDto> {
    return { data: await this.keys.list() };
  }

  /** One key; never its secret. */
  @Get(':id')
  @ApiOkResponse({ type: KeyDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id') id: string): Promise<KeyDto> {
    return this.keys.get(id);
  }

  /**
   * Changes a key's name, team, expiry, allowlist, limits or metadata (`null` clears an
   * optional field); in effect on every replica at once with Redis, else within 5 s.
   */
  @Patch(':id')
  @ApiOkResponse({ type: KeyDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  update(@Param('id') id: string, @Body() body: UpdateKeyDto): Promise<KeyDto> {
    return this.keys.update(id, body);
  }

  /** Revokes a key: it gets 401 from then on, on every replica (at once with Redis, else within 5 s). */
  @Delete(':id')
  @ApiOkResponse({ type: KeyDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  revoke(@Param('id') id: string): Promise<KeyDto> {
    return this.keys.revoke(id);
  }
}

import { Injectable } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type { ModelDto, ModelListDto } from './dto/model.dto.js';
import { ModelCatalog } from './model-catalog.service.js';

@Injectable()
export class ModelsService {
  constructor(private readonly catalog: ModelCatalog) {}

  list(): ModelListDto {
    return { object: 'list', data: this.catalog.allIds().map(toModel) };
  }

  get(id: string): ModelDto {
    const slash = id.indexOf('/');
    const entry = slash > 0 ? this.catalog.entry(id.slice(0, slash)) : undefined;
    if (!entry || !entry.models.has(id.slice(slash + 1))) {
      throw new GatewayError(ErrorCode.ModelNotFound, `The model '${id}' does not exist.`, {
        param: 'model',
        wireCode: 'model_not_found',
      });
    }
    return toModel(id);
  }
}

function toModel(id: string): ModelDto {
  return { id, object: 'model', created: 0, owned_by: id.slice(0, id.indexOf('/')) };
}

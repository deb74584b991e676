import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import { ADMIN_ONLY, BearerAuthGuard } from './bearer-auth.guard.js';

/** Bearer auth at runtime and in the OpenAPI document, applied together so they cannot drift. */
export function Auth(options: { admin?: boolean } = {}): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(ADMIN_ONLY, options.admin === true),
    UseGuards(BearerAuthGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      description: 'Missing or invalid bearer token',
      type: ErrorResponseDto,
    }),
    ...(options.admin
      ? [ApiForbiddenResponse({ description: 'Requires the master key', type: ErrorResponseDto })]
      : []),
  );
}

import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../errors/gateway-error.js';
import { validatorOf } from './validated-by.decorator.js';

/**
 * Validates request bodies, failures reported as one OpenAI-style 400 naming the first
 * offending field as `param` (`messages[2].content`). A DTO declaring `@ValidatedBy` gets
 * its derived validator (the chat request: its OpenAPI schema compiled with Ajv); other
 * DTOs get class-validator. The validated value is returned as the client sent it (no
 * whitelist, no transform), so unknown fields survive to be forwarded upstream.
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: false,
      whitelist: false,
      forbidUnknownValues: false,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => validationFailure(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (
      metadata.type === 'body' &&
      (typeof value !== 'object' || value === null || Array.isArray(value))
    ) {
      throw new GatewayError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
    }
    const derived = validatorOf(metadata.metatype);
    if (derived) {
      const validate = typeof derived === 'function' ? derived : await derived;
      const err = validate(value);
      if (err) throw err;
      return value;
    }
    return super.transform(value, metadata);
  }
}

export function validationFailure(errors: ValidationError[]): GatewayError {
  const found = firstLeaf(errors, '');
  if (!found) return new GatewayError(ErrorCode.InvalidRequest, 'Invalid request body.');
  const { param, message } = found;
  return new GatewayError(ErrorCode.InvalidRequest, `Invalid value for '${param}': ${message}.`, {
    param,
    wireCode: 'invalid_value',
  });
}

function firstLeaf(
  errors: ValidationError[],
  prefix: string,
): { param: string; message: string } | null {
  for (const e of errors) {
    const param = /^\d+$/.test(e.property)
      ? `${prefix}[${e.property}]`
      : prefix
        ? `${prefix}.${e.property}`
        : e.property;
    if (e.constraints) {
      const message = Object.values(e.constraints)[0];
      if (message) return { param, message };
    }
    if (e.children?.length) {
      const nested = firstLeaf(e.children, param);
      if (nested) return nested;
    }
  }
  return null;
}

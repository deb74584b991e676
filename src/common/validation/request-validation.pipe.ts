import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../errors/gateway-error.js';
import { validatorOf } from './validated-by.decorator.js';

/**
 * Validates request bodies, failures reported as one OpenAI-style 400 naming the first
 * offending field as `param` (`messages[2].content`). A DTO declaring `@ValidatedBy` gets
 * its derived validator (the chat request: its OpenAPI schema compiled with Ajv), which
 * lets unknown fields through to be forwarded upstream. Other DTOs (the admin API) get
 * class-validator, and a field their class does not declare is refused, named, rather
 * than silently ignored. The value is returned as the client sent it (no transform).
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: false,
      whitelist: true,
      forbidNonWhitelisted: true,
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
  const unknown = unknownFields(errors, '').map((name) => name.slice(0, MAX_NAME));
  if (unknown.length > 0) {
    // The names are the caller's: a bounded few of them, each cut short, go back.
    const listed = unknown.slice(0, MAX_NAMED).map((name) => `'${name}'`);
    if (unknown.length > MAX_NAMED) listed.push(`and ${unknown.length - MAX_NAMED} more`);
    return new GatewayError(
      ErrorCode.InvalidRequest,
      `Unknown parameter${unknown.length === 1 ? '' : 's'} ${listed.join(', ')}.`,
      { param: unknown[0], wireCode: 'unknown_parameter' },
    );
  }
  const found = firstLeaf(errors, '');
  if (!found) return new GatewayError(ErrorCode.InvalidRequest, 'Invalid request body.');
  const { param, message } = found;
  return new GatewayError(ErrorCode.InvalidRequest, `Invalid value for '${param}': ${message}.`, {
    param,
    wireCode: 'invalid_value',
  });
}

/** Every property the DTO does not declare (whitelist errors), as `param` paths. */
function unknownFields(errors: ValidationError[], prefix: string): string[] {
  return errors.flatMap((e) => {
    const param = paramOf(e.property, prefix);
    if (e.constraints?.[WHITELIST] !== undefined) return [param];
    return e.children?.length ? unknownFields(e.children, param) : [];
  });
}

const WHITELIST = 'whitelistValidation';
const MAX_NAMED = 10;
const MAX_NAME = 100;

function paramOf(property: string, prefix: string): string {
  return /^\d+$/.test(property)
    ? `${prefix}[${property}]`
    : prefix
      ? `${prefix}.${property}`
      : property;
}

function firstLeaf(
  errors: ValidationError[],
  prefix: string,
): { param: string; message: string } | null {
  for (const e of errors) {
    const param = paramOf(e.property, prefix);
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

import { HttpException } from '@nestjs/common';
import { ErrorCode, GatewayError } from './gateway-error.js';

/** Normalises anything thrown while handling a request into a GatewayError. */
export function toGatewayError(err: unknown, method?: string, path?: string): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status === 404) {
      return new GatewayError(
        ErrorCode.NotFound,
        `Unknown request URL: ${method ?? ''} ${path ?? ''}.`.replace('  ', ' '),
        { wireCode: 'unknown_url' },
      );
    }
    if (status === 401) return new GatewayError(ErrorCode.Unauthorized, err.message);
    if (status === 403) return new GatewayError(ErrorCode.Forbidden, err.message);
    if (status === 413) return new GatewayError(ErrorCode.BodyTooLarge, err.message);
    if (status < 500) {
      return new GatewayError(ErrorCode.InvalidRequest, err.message, { status });
    }
  }
  return new GatewayError(ErrorCode.Internal, 'The gateway hit an internal error.', { cause: err });
}

export function invalidJson(): GatewayError {
  return new GatewayError(
    ErrorCode.InvalidJson,
    'We could not parse the JSON body of your request. The body must be valid JSON.',
  );
}

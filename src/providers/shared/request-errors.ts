import { ErrorCode, GatewayError } from '../../common/errors/gateway-error.js';

/** A 400 for an OpenAI parameter the provider has no way to honour (`unsupported_parameter`). */
export function unsupportedParam(param: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.Unsupported, message, { param });
}

/** A 400 for a value the provider would not accept, or that cannot be translated (`invalid_value`). */
export function invalidParam(param: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.InvalidRequest, message, { param, wireCode: 'invalid_value' });
}

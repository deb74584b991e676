import { ErrorCode, GatewayError } from '../../common/errors/gateway-error.js';

/** A 400 for an OpenAI parameter Anthropic has no way to honour. */
export function unsupportedParam(param: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.Unsupported, message, {
    param,
    wireCode: 'unsupported_parameter',
  });
}

/** A 400 for a value Anthropic would not accept (or that cannot be translated). */
export function invalidParam(param: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.InvalidRequest, message, { param, wireCode: 'invalid_value' });
}

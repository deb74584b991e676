import { toWireError } from '../../common/errors/error-envelope.js';
import { invalidParam, unsupportedParam } from './request-errors.js';

describe('request errors', () => {
  it('unsupportedParam is a 400 invalid_request_error coded unsupported_parameter, naming the param', () => {
    expect(toWireError(unsupportedParam('logprobs', 'Not here.'))).toEqual({
      status: 400,
      body: {
        error: {
          message: 'Not here.',
          type: 'invalid_request_error',
          param: 'logprobs',
          code: 'unsupported_parameter',
        },
      },
    });
  });

  it('invalidParam is a 400 invalid_request_error coded invalid_value, naming the param', () => {
    expect(toWireError(invalidParam('top_p', 'Too high.'))).toEqual({
      status: 400,
      body: {
        error: {
          message: 'Too high.',
          type: 'invalid_request_error',
          param: 'top_p',
          code: 'invalid_value',
        },
      },
    });
  });
});

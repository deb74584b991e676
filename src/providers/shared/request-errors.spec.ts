import { toWireError } from '../../common/errors/error-envelope.js';
import { invalidParam, unsupportedParam } from './request-errors.js';

describe('request errors', () => {
  it.each([
    [unsupportedParam, 'unsupported_parameter'],
    [invalidParam, 'invalid_value'],
  ])('%p is a 400 invalid_request_error coded %s, naming the param', (make, code) => {
    expect(toWireError(make('top_p', 'Not here.'))).toEqual({
      status: 400,
      body: {
        error: { message: 'Not here.', type: 'invalid_request_error', param: 'top_p', code },
      },
    });
  });
});

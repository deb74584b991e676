import fc from 'fast-check';
import { toWireError } from '../../common/errors/error-envelope.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { parseToolArguments } from './tool-arguments.js';

const PARAM = 'messages[1].tool_calls[0].function.arguments';

function rejection(args: string): GatewayError {
  try {
    parseToolArguments(args, PARAM);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error(`accepted ${args}`);
}

describe('parseToolArguments', () => {
  it('reads an object, and an empty string as no arguments', () => {
    expect(parseToolArguments('{"a":[1,2]}', 'p')).toEqual({ a: [1, 2] });
    expect(parseToolArguments('  ', 'p')).toEqual({});
  });

  it('reads back any JSON object it is given', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        expect(parseToolArguments(JSON.stringify(obj), 'p')).toEqual(
          JSON.parse(JSON.stringify(obj)),
        );
      }),
    );
  });

  it.each(['[1,2]', '"text"', 'null', '42'])(
    'rejects %s, which is JSON but not an object',
    (args) => {
      const wire = toWireError(rejection(args));
      expect(wire.status).toBe(400);
      expect(wire.body.error).toEqual({
        message: `Invalid value for '${PARAM}': the arguments must be a JSON object.`,
        type: 'invalid_request_error',
        param: PARAM,
        code: 'invalid_value',
      });
    },
  );

  it.each(['{"city":', "{'a':1}", 'undefined'])('rejects %s, which is not JSON', (args) => {
    const wire = toWireError(rejection(args));
    expect(wire.body.error.param).toBe(PARAM);
    expect(wire.body.error.message).toBe(
      `Invalid value for '${PARAM}': the arguments are not valid JSON.`,
    );
  });
});

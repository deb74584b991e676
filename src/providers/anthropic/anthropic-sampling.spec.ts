import { GatewayError } from '../../common/errors/gateway-error.js';
import { toAnthropicSampling } from './anthropic-sampling.js';

function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('toAnthropicSampling', () => {
  it('passes temperature and top_p in range through unchanged', () => {
    expect(toAnthropicSampling({ temperature: 0, top_p: 0.5 }, false)).toEqual({
      temperature: 0,
      top_p: 0.5,
    });
    expect(toAnthropicSampling({ temperature: 1 }, false)).toEqual({ temperature: 1 });
    expect(toAnthropicSampling({ temperature: null, top_p: null }, false)).toEqual({});
  });

  it('rejects a temperature above 1 instead of clamping it', () => {
    const err = thrown(() => toAnthropicSampling({ temperature: 1.3 }, false));
    expect(err.param).toBe('temperature');
    expect(err.message).toContain('1.3');
  });

  it('with thinking on, allows only temperature 1 and top_p of at least 0.95', () => {
    expect(thrown(() => toAnthropicSampling({ temperature: 0.7 }, true)).param).toBe('temperature');
    expect(thrown(() => toAnthropicSampling({ top_p: 0.9 }, true)).param).toBe('top_p');
    expect(toAnthropicSampling({ temperature: 1, top_p: 0.95 }, true)).toEqual({
      temperature: 1,
      top_p: 0.95,
    });
  });
});

import { geminiToolCallId, thoughtSignatureOf, toOpenAIToolCall } from './gemini-tool-calls.js';

describe('geminiToolCallId', () => {
  it('is deterministic for one response, candidate and position', () => {
    expect(geminiToolCallId('resp-1', 0, 0)).toBe(geminiToolCallId('resp-1', 0, 0));
    expect(geminiToolCallId('resp-1', 0, 0)).toMatch(/^call_[0-9a-f]{24}$/);
  });

  it('differs across positions, candidates and responses', () => {
    const ids = new Set([
      geminiToolCallId('resp-1', 0, 0),
      geminiToolCallId('resp-1', 0, 1),
      geminiToolCallId('resp-1', 1, 0),
      geminiToolCallId('resp-2', 0, 0),
      geminiToolCallId('resp-1', 10, 0),
      geminiToolCallId('resp-11', 0, 0),
    ]);
    expect(ids.size).toBe(6);
  });
});

describe('toOpenAIToolCall', () => {
  it('serialises the arguments and carries the signature in extra_content.google', () => {
    expect(
      toOpenAIToolCall({ name: 'get_weather', args: { city: 'Oslo' } }, 'call_1', 'c2lnbmF0dXJl'),
    ).toEqual({
      id: 'call_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
      extra_content: { google: { thought_signature: 'c2lnbmF0dXJl' } },
    });
  });

  it('sends "{}" for a call without args and no extra_content without a signature', () => {
    expect(toOpenAIToolCall({ name: 'get_time' }, 'call_2', undefined)).toEqual({
      id: 'call_2',
      type: 'function',
      function: { name: 'get_time', arguments: '{}' },
    });
  });
});

describe('thoughtSignatureOf', () => {
  it('reads the signature back and ignores anything else', () => {
    expect(thoughtSignatureOf({ extra_content: { google: { thought_signature: 'abc' } } })).toBe(
      'abc',
    );
    expect(thoughtSignatureOf({})).toBeUndefined();
    expect(thoughtSignatureOf({ extra_content: { google: 'abc' } })).toBeUndefined();
    expect(
      thoughtSignatureOf({ extra_content: { google: { thought_signature: 42 } } }),
    ).toBeUndefined();
    expect(
      thoughtSignatureOf({ extra_content: { google: { thought_signature: '' } } }),
    ).toBeUndefined();
  });
});

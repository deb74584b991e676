import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';

describe('mapGeminiFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['MAX_TOKENS', true, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['OTHER', false, 'stop'],
    ['MALFORMED_FUNCTION_CALL', false, 'stop'],
    ['TOO_MANY_TOOL_CALLS', true, 'tool_calls'],
    ['SOMETHING_NEW', false, 'stop'],
  ] as const)('%s (function call: %s) → %s', (reason, hasCall, expected) => {
    expect(mapGeminiFinishReason(reason, hasCall)).toBe(expected);
  });

  it('is null while the candidate is still being generated', () => {
    expect(mapGeminiFinishReason(undefined, false)).toBeNull();
    expect(mapGeminiFinishReason(undefined, true)).toBeNull();
  });
});

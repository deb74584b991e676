import type { AnthropicResponse } from './anthropic.types.js';
import { jsonFixture } from '../../../test/support/fixtures.js';
import { toChatCompletion } from './anthropic-response.js';

const CREATED = 1_764_147_600;
const message = (file: string) => jsonFixture<AnthropicResponse>(`anthropic/${file}`);

describe('toChatCompletion', () => {
  it.each([
    'message-text.json',
    'message-tool-use.json',
    'message-tool-use-only.json',
    'message-extended-thinking.json',
  ])('%s', (file) => {
    expect(toChatCompletion(message(file), CREATED)).toMatchSnapshot();
  });

  it('is an OpenAI chat completion: id, object, created, model', () => {
    const out = toChatCompletion(message('message-text.json'), CREATED);
    expect(out).toMatchObject({
      id: 'chatcmpl-msg_01TgText5Mw8Qz3Lv7RcKpYs',
      object: 'chat.completion',
      created: CREATED,
      model: 'claude-sonnet-4-5-20250929',
    });
    expect(out.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'Paris is the capital of France.' },
    });
  });

  it('counts cache reads into prompt_tokens and keeps the native usage', () => {
    const native = message('message-text.json');
    expect(toChatCompletion(native, CREATED).usage).toEqual({
      prompt_tokens: 1545,
      completion_tokens: 10,
      total_tokens: 1555,
      prompt_tokens_details: { cached_tokens: 1536, cache_write_tokens: 0 },
      raw_usage: native.usage,
    });
  });

  it('returns tool calls with JSON-string arguments, and content null when there is no text', () => {
    const out = toChatCompletion(message('message-tool-use-only.json'), CREATED).choices[0];
    expect(out.finish_reason).toBe('tool_calls');
    expect(out.message.content).toBeNull();
    expect(out.message.tool_calls).toEqual([
      {
        id: 'toolu_01TgLookup2Hs5Wd8Qn3RvXc',
        type: 'function',
        function: {
          name: 'lookup_order',
          arguments: '{"order_id":"TG-1042","include":["status","eta"]}',
        },
      },
    ]);
  });

  it('exposes thinking as reasoning_content and its signature as reasoning_signature', () => {
    const native = message('message-extended-thinking.json');
    const thinking = native.content[0] as { thinking: string; signature: string };
    const out = toChatCompletion(native, CREATED).choices[0].message;
    expect(out.reasoning_content).toBe(thinking.thinking);
    expect(out.reasoning_signature).toBe(thinking.signature);
    expect(out.content).toBe('The trip costs 12 coins: three gates at 4 coins each.');
  });

  it('skips block types without an OpenAI counterpart, and gives no signature for several thinking blocks', () => {
    const out = toChatCompletion(
      {
        id: 'msg_01TgMixed',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [
          { type: 'thinking', thinking: 'First.', signature: 'sig-a' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
          { type: 'thinking', thinking: ' Second.', signature: 'sig-b' },
          { type: 'text', text: 'Answer', citations: [] },
          { type: 'text', text: ' in two parts.' },
        ],
        stop_reason: 'pause_turn',
        usage: { input_tokens: 1, output_tokens: 2 },
      },
      CREATED,
    ).choices[0];
    expect(out.message).toEqual({
      role: 'assistant',
      content: 'Answer in two parts.',
      refusal: null,
      reasoning_content: 'First. Second.',
      annotations: [],
    });
    expect(out.finish_reason).toBe('stop');
  });

  it.each([
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
    ['stop_sequence', 'stop'],
  ])('maps stop_reason %s to %s, with empty content when nothing was said', (reason, finish) => {
    const out = toChatCompletion(
      { ...message('message-text.json'), content: [], stop_reason: reason },
      CREATED,
    ).choices[0];
    expect(out.finish_reason).toBe(finish);
    expect(out.message.content).toBe('');
  });
});

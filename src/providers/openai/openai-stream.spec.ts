import fc from 'fast-check';
import type { ChatCompletionChunk } from '../../openai/chat-completion.types.js';
import { passThrough } from './openai-stream.js';

/** What the relay reads off a parsed chunk: the content text and whether it carries output. */
function readParsed(chunk: ChatCompletionChunk): { text: string; output: boolean } {
  let text = '';
  let output = false;
  for (const c of chunk.choices) {
    const d = c.delta;
    if (typeof d?.content === 'string') text += d.content;
    if (
      (typeof d?.content === 'string' && d.content !== '') ||
      d?.tool_calls ||
      d?.reasoning_content
    ) {
      output = true;
    }
  }
  return { text, output };
}

const anyText = fc.string({ unit: 'grapheme', maxLength: 30 });
const trickyText = fc.oneof(
  anyText,
  fc.constantFrom('"content":"x"', '\\', '\\"', '\n', '"', '"usage":{', 'tool_calls":[', ''),
);

const chunkArb: fc.Arbitrary<ChatCompletionChunk> = fc
  .record({
    choices: fc.array(
      fc.record(
        {
          index: fc.nat(3),
          delta: fc.record(
            {
              role: fc.constant('assistant' as const),
              content: fc.option(trickyText, { nil: null }),
              reasoning_content: trickyText,
              tool_calls: fc.array(
                fc.record({
                  index: fc.nat(3),
                  function: fc.record({ arguments: trickyText }),
                }),
                { maxLength: 2 },
              ),
            },
            { requiredKeys: [] },
          ),
          finish_reason: fc.constantFrom(null, 'stop'),
          logprobs: fc.option(fc.record({ content: fc.array(fc.record({ token: trickyText })) }), {
            nil: null,
          }),
        },
        { requiredKeys: ['index', 'delta', 'finish_reason'] },
      ),
      { maxLength: 3 },
    ),
    usage: fc.constant(null),
  })
  .map(
    ({ choices, usage }) =>
      ({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        choices,
        usage,
      }) as unknown as ChatCompletionChunk,
  );

describe('passThrough: reading a chunk without parsing it', () => {
  it('reads the same text and output as parsing would, whatever the strings hold', () => {
    fc.assert(
      fc.property(chunkArb, (chunk) => {
        const raw = JSON.stringify(chunk);
        const light = passThrough(raw);
        if (light === null) return; // parsed instead: always correct
        expect(light.raw).toBe(raw);
        expect({ text: light.text, output: light.output }).toEqual(readParsed(chunk));
      }),
      { numRuns: 3000, seed: 20261207 },
    );
  });

  it('takes an ordinary content chunk without parsing', () => {
    const raw =
      '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi \\"there\\"\\n"},"finish_reason":null}],"usage":null}';
    expect(passThrough(raw)).toEqual({ raw, text: 'Hi "there"\n', output: true });
  });

  it.each([
    ['a usage chunk', '{"choices":[],"usage":{"prompt_tokens":1}}'],
    ['an error event', '{"error":{"message":"boom"}}'],
    ['a Groq usage chunk', '{"choices":[{"index":0,"delta":{}}],"x_groq":{"usage":{}}}'],
    ['a choices-less event', '{"id":"x"}'],
  ])('leaves %s to the parser', (_what, raw) => {
    expect(passThrough(raw)).toBeNull();
  });
});

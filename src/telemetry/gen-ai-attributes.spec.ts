import { fixture, jsonFixture } from '../../test/support/fixtures.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { ClientAbortedError } from '../common/http/upstream-http.service.js';
import type { ChatCompletion, ChatCompletionRequest } from '../openai/chat-completion.types.js';
import { openAIChunks } from '../providers/openai/openai-stream.js';
import type { StreamChunk } from '../providers/provider-adapter.js';
import {
  completionAttributes,
  errorType,
  genAiProviderName,
  inputMessages,
  requestAttributes,
  serverAttributes,
  StreamSummary,
  type Attributes,
} from './gen-ai-attributes.js';

async function chunksOf(sse: string): Promise<StreamChunk[]> {
  async function* events() {
    for (const line of sse.split('\n')) {
      if (line.startsWith('data: ')) yield { data: line.slice(6), event: undefined, id: undefined };
    }
  }
  const out: StreamChunk[] = [];
  for await (const c of openAIChunks(events(), 'openai', [])) out.push(c);
  return out;
}

describe('GenAI span attributes', () => {
  it('names providers by the conventions’ well-known values', () => {
    expect(genAiProviderName('openai', 'openai')).toBe('openai');
    expect(genAiProviderName('anthropic', 'claude-team')).toBe('anthropic');
    expect(genAiProviderName('gemini', 'gemini')).toBe('gcp.gemini');
    expect(genAiProviderName('azure-openai', 'azure')).toBe('azure.ai.openai');
    expect(genAiProviderName('openai-compatible', 'groq')).toBe('groq');
    expect(genAiProviderName('openai-compatible', 'xai')).toBe('x_ai');
    expect(genAiProviderName('openai-compatible', 'mistral')).toBe('mistral_ai');
    expect(genAiProviderName('openai-compatible', 'vllm')).toBe('openai-compatible');
  });

  it('reads server.address and server.port off a base URL', () => {
    expect(serverAttributes('https://api.openai.com/v1')).toEqual({
      'server.address': 'api.openai.com',
      'server.port': 443,
    });
    expect(serverAttributes('http://[::1]:8000/v1')).toEqual({
      'server.address': '::1',
      'server.port': 8000,
    });
  });

  it('takes the request parameters the conventions name, and nothing of the messages', () => {
    const out: Attributes = {};
    requestAttributes(
      {
        model: 'm',
        messages: [{ role: 'user', content: 'secret prompt' }],
        max_completion_tokens: 100,
        temperature: 0,
        top_p: 0.9,
        stop: 'END',
        seed: 7,
        n: 2,
      },
      out,
    );
    expect(out).toEqual({
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.temperature': 0,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.seed': 7,
      'gen_ai.request.choice.count': 2,
    });
  });

  it('reads a completion; its text only when content capture is on', () => {
    const completion = jsonFixture<ChatCompletion>('openai/chat-completion-tool-calls.json');
    const plain = completionAttributes(completion, false);
    expect(plain).toMatchObject({
      'gen_ai.response.model': completion.model,
      'gen_ai.response.id': completion.id,
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'gen_ai.usage.input_tokens': completion.usage!.prompt_tokens,
      'gen_ai.usage.output_tokens': completion.usage!.completion_tokens,
    });
    expect(plain).not.toHaveProperty('gen_ai.output.messages');
    const captured = JSON.parse(
      completionAttributes(completion, true)['gen_ai.output.messages'] as string,
    ) as Array<{ parts: Array<{ type: string; name?: string }> }>;
    expect(captured[0].parts.map((p) => p.type)).toContain('tool_call');
  });

  it('follows an OpenAI stream, unparsed chunks included: model, id, finish reason, usage', async () => {
    const chunks = await chunksOf(fixture('openai/chat-stream-text-usage.sse'));
    // Most chunks went through unparsed: the summary must read them off the JSON text.
    expect(chunks.filter((c) => c.chunk === undefined).length).toBeGreaterThan(5);
    const summary = new StreamSummary(false);
    for (const c of chunks) summary.observe(c);
    expect(summary.attributes(undefined)).toEqual({
      'gen_ai.response.model': 'gpt-4.1-nano-2025-04-14',
      'gen_ai.response.id': 'chatcmpl-TGfx02StandInRecording0002',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 9,
    });

    const capturing = new StreamSummary(true);
    for (const c of chunks) capturing.observe(c);
    expect(JSON.parse(capturing.attributes(undefined)['gen_ai.output.messages'] as string)).toEqual(
      [
        {
          role: 'assistant',
          parts: [{ type: 'text', content: 'The gateway relays every token as it arrives.' }],
          finish_reason: 'stop',
        },
      ],
    );
  });

  it('falls back to the usage the request saw when the stream reported none', async () => {
    const summary = new StreamSummary(false);
    for (const c of await chunksOf(fixture('openai/chat-stream-text-no-usage.sse'))) {
      summary.observe(c);
    }
    expect(summary.attributes(undefined)).not.toHaveProperty('gen_ai.usage.input_tokens');
    expect(
      summary.attributes({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }),
    ).toMatchObject({ 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 4 });
  });

  it('keeps text and tool parts of the input, and names media parts without copying them', () => {
    const body: ChatCompletionRequest = {
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'look', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
      ],
    };
    const messages = inputMessages(body);
    expect(messages).not.toContain('base64');
    expect(JSON.parse(messages)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      {
        role: 'user',
        parts: [{ type: 'text', content: 'What is this?' }, { type: 'image_url' }],
      },
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'call_1', name: 'look', arguments: '{}' }],
      },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'a cat' }] },
    ]);
  });

  it('gives failures a low-cardinality error.type', () => {
    expect(
      errorType(new GatewayError(ErrorCode.Upstream, 'x', { upstreamStatus: 503, status: 503 })),
    ).toBe('503');
    expect(
      errorType(new GatewayError(ErrorCode.UpstreamTimeout, 'x', { wireCode: 'idle_timeout' })),
    ).toBe('idle_timeout');
    expect(errorType(new GatewayError(ErrorCode.UpstreamUnreachable, 'x'))).toBe(
      'upstream_unreachable',
    );
    expect(
      errorType(
        new GatewayError(ErrorCode.UpstreamUnreachable, 'x', { cause: new ClientAbortedError() }),
      ),
    ).toBe('client_closed');
    expect(errorType(new TypeError('boom'))).toBe('_OTHER');
  });
});

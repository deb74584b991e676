import type { ChatCompletionChunk, Usage } from '../../openai/chat-completion.types.js';
import { toWireError } from '../../common/errors/error-envelope.js';
import { ErrorCode, GatewayError } from '../../common/errors/gateway-error.js';
import { readSse } from '../../common/sse/sse-reader.js';
import { fixture } from '../../../test/support/fixtures.js';
import { framesFromJsonl } from '../../../test/support/stand-in-upstream.js';
import { anthropicChunks } from './anthropic-stream.js';

const CREATED = 1_764_147_600;

/** The body as the network might deliver it: in small pieces that split lines and JSON. */
async function* pieces(body: string, size = 7): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(body, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function sseBody(file: string): string {
  return file.endsWith('.jsonl')
    ? framesFromJsonl(fixture(`anthropic/${file}`), true).join('')
    : fixture(`anthropic/${file}`);
}

interface Run {
  chunks: ChatCompletionChunk[];
  reported: Usage[];
  error?: unknown;
}

async function run(body: string): Promise<Run> {
  const out: Run = { chunks: [], reported: [] };
  try {
    for await (const { chunk } of anthropicChunks(readSse(pieces(body)), {
      provider: 'anthropic',
      secrets: [],
      created: CREATED,
      reportUsage: (u) => out.reported.push(u),
    })) {
      out.chunks.push(chunk);
    }
  } catch (err) {
    out.error = err;
  }
  return out;
}

const deltas = (r: Run) => r.chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
const text = (r: Run) =>
  deltas(r)
    .map((d) => d.content ?? '')
    .join('');
const reasoning = (r: Run) =>
  deltas(r)
    .map((d) => d.reasoning_content ?? '')
    .join('');

describe('anthropicChunks', () => {
  it.each([
    'messages-stream-text-padded.sse',
    'messages-stream-parallel-tool-use.jsonl',
    'messages-stream-thinking-signature.jsonl',
    'messages-stream-prompt-cache-read.jsonl',
  ])('%s', async (file) => {
    const r = await run(sseBody(file));
    expect(r.error).toBeUndefined();
    expect(r.chunks).toMatchSnapshot();
  });

  it('tolerates whitespace padding inside the data JSON and ignores pings', async () => {
    const r = await run(sseBody('messages-stream-text-padded.sse'));
    expect(r.chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(r.chunks[0]).toMatchObject({
      id: 'chatcmpl-msg_01TgPadSt7xQm3Vw9LcR4HdN',
      object: 'chat.completion.chunk',
      created: CREATED,
      model: 'claude-sonnet-4-20250514',
    });
    expect(text(r)).toBe('Tollgate relays every token.');
    // role, 2 text deltas, finish, usage: nothing for the ping or the block start/stop
    expect(r.chunks).toHaveLength(5);
  });

  it('ends with the finish chunk, then always a usage chunk with choices: []', async () => {
    const r = await run(sseBody('messages-stream-text-padded.sse'));
    const [finish, usage] = r.chunks.slice(-2);
    expect(finish.choices).toEqual([
      { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' },
    ]);
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({
      prompt_tokens: 14,
      completion_tokens: 7,
      total_tokens: 21,
    });
  });

  it('numbers tool calls 0, 1, … (not block indexes) and streams their arguments', async () => {
    const r = await run(sseBody('messages-stream-parallel-tool-use.jsonl'));
    const calls = deltas(r).flatMap((d) => d.tool_calls ?? []);
    expect(calls[0]).toEqual({
      index: 0,
      id: 'toolu_01TgParis7aXw3Kd9Lm2QvBn',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(calls.filter((c) => c.id !== undefined).map((c) => [c.index, c.id])).toEqual([
      [0, 'toolu_01TgParis7aXw3Kd9Lm2QvBn'],
      [1, 'toolu_01TgOslo4bYt8Hn2Pq6WzRcJ'],
    ]);
    const args = (i: number) =>
      calls
        .filter((c) => c.index === i)
        .map((c) => c.function?.arguments ?? '')
        .join('');
    expect(JSON.parse(args(0))).toEqual({ city: 'Paris', unit: 'c' });
    expect(JSON.parse(args(1))).toEqual({ city: 'Oslo', unit: 'c' });
    // the leading "" input pieces are not relayed as empty deltas
    expect(calls.filter((c) => c.id === undefined && !c.function?.arguments)).toEqual([]);
    expect(text(r)).toBe("I'll check both cities at once.");
    expect(r.chunks.at(-2)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('streams thinking as reasoning_content and the signature as reasoning_signature', async () => {
    const r = await run(sseBody('messages-stream-thinking-signature.jsonl'));
    expect(reasoning(r)).toBe('A toll of 3 coins per gate, 4 gates.\n\n3 × 4 = 12');
    const signatures = deltas(r).flatMap((d) =>
      d.reasoning_signature ? [d.reasoning_signature] : [],
    );
    expect(signatures).toHaveLength(1);
    expect(signatures[0]).toMatch(/^Eq[A-Za-z0-9+/]+=*$/);
    expect(text(r)).toBe('The trip costs 12 coins.');
    // the empty last thinking_delta produces no chunk
    expect(deltas(r).some((d) => d.reasoning_content === '')).toBe(false);
  });

  it('reports input usage at message_start and counts cache and output once at the end', async () => {
    const r = await run(sseBody('messages-stream-prompt-cache-read.jsonl'));
    expect(r.reported[0]).toMatchObject({
      prompt_tokens: 1207,
      completion_tokens: 12,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 1204 },
    });
    const final = r.chunks.at(-1)?.usage;
    expect(final).toEqual({
      prompt_tokens: 3723,
      completion_tokens: 96,
      total_tokens: 3819,
      prompt_tokens_details: { cached_tokens: 2408, cache_write_tokens: 1310 },
      completion_tokens_details: { reasoning_tokens: 0 },
      raw_usage: {
        input_tokens: 5,
        cache_creation_input_tokens: 1310,
        cache_read_input_tokens: 2408,
        cache_creation: { ephemeral_5m_input_tokens: 1204, ephemeral_1h_input_tokens: 0 },
        output_tokens: 96,
        output_tokens_details: { thinking_tokens: 0 },
        server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
        service_tier: 'standard',
        inference_geo: 'global',
      },
    });
    expect(r.reported.at(-1)).toEqual(final);
  });

  it('skips server tool blocks: no tool calls for server_tool_use', async () => {
    const r = await run(sseBody('messages-stream-prompt-cache-read.jsonl'));
    expect(deltas(r).some((d) => d.tool_calls)).toBe(false);
    expect(text(r)).toBe('Seven times six is **42**.');
  });

  it('turns an error event mid-stream into a GatewayError after relaying what came before', async () => {
    const r = await run(sseBody('messages-stream-error-overloaded.sse'));
    expect(text(r)).toBe('Once upon a time');
    expect(r.error).toBeInstanceOf(GatewayError);
    expect(toWireError(r.error as GatewayError)).toMatchObject({
      status: 503,
      body: { error: { message: 'Overloaded', type: 'server_error' } },
    });
    expect(r.reported[0]).toMatchObject({ prompt_tokens: 21 });
  });

  it('fails a stream that ends before message_stop, so a cut-off answer does not look complete', async () => {
    const body = sseBody('messages-stream-text-padded.sse').split('event: message_delta')[0];
    const r = await run(body);
    expect(text(r)).toBe('Tollgate relays every token.');
    expect((r.error as GatewayError).code).toBe(ErrorCode.UpstreamInvalidResponse);
  });

  it('fails on a malformed event', async () => {
    const r = await run('event: message_start\ndata: {"type":"message_start",\n\n');
    expect((r.error as GatewayError).code).toBe(ErrorCode.UpstreamInvalidResponse);
  });

  it('sends the input of a tool_use block that arrived whole, and skips unknown events and blocks', async () => {
    const events = [
      {
        type: 'message_start',
        message: {
          id: 'msg_01TgWhole',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [],
          stop_reason: null,
          usage: { input_tokens: 3, output_tokens: 1 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'mystery_block', data: 1 } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hidden' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'something_new', detail: true },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_whole', name: 'f', input: { a: 1 } },
      },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } },
      { type: 'message_stop' },
    ];
    const r = await run(
      framesFromJsonl(events.map((e) => JSON.stringify(e)).join('\n'), true).join(''),
    );
    expect(r.error).toBeUndefined();
    expect(text(r)).toBe('');
    expect(deltas(r).flatMap((d) => d.tool_calls ?? [])).toEqual([
      { index: 0, id: 'toolu_whole', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 0, function: { arguments: '{"a":1}' } },
    ]);
  });
});

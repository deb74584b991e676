import OpenAI from 'openai';
import { countTextTokens, estimatePromptTokens } from '../../src/usage/token-estimate.js';
import { fixture, jsonFixture } from '../support/fixtures.js';
import { api, sseEvents } from '../support/http.js';
import { expectStreamConforms } from '../support/openapi-conformance.js';
import { useGatewayWithStandIn } from '../support/sdk-harness.js';
import { sseFrames, type ScriptedResponse } from '../support/stand-in-upstream.js';

/** Token counts as a usage row records them. */
interface Tokens {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}
const tokens = (p: number, c: number, t: number, extra: Partial<Tokens> = {}): Tokens => ({
  prompt_tokens: p,
  completion_tokens: c,
  total_tokens: t,
  cached_tokens: 0,
  cache_write_tokens: 0,
  reasoning_tokens: 0,
  ...extra,
});

/**
 * One provider family: what its stand-in answers and the usage that must be recorded
 * for it. Adding a provider to these tests is one more entry.
 */
interface ProviderCase {
  name: string;
  /** Gateway environment enabling the provider against the stand-in. */
  env: (upstreamUrl: string) => Record<string, string>;
  /** `model` as the client sends it, and what the row must say. */
  model: string;
  provider: string;
  upstreamModel: string;
  completion: { answer: ScriptedResponse; usage: Tokens };
  stream: { frames: string[]; usage: Tokens; text: string };
  /** Abort once `text` has arrived; the stand-in stalls after `afterFrames` frames. */
  abort: { afterFrames: number; text: string; reported?: { prompt: number; completion: number } };
}

const OPENAI_STREAM = sseFrames(fixture('openai/chat-stream-text-usage.sse'));
const ANTHROPIC_STREAM = sseFrames(fixture('anthropic/messages-stream-text-padded.sse'));
const GEMINI_STREAM = sseFrames(fixture('gemini/stream-text.sse'));

const CASES: ProviderCase[] = [
  {
    name: 'openai',
    env: (url) => ({
      OPENAI_API_KEY: 'sk-up-openai-000000',
      OPENAI_BASE_URL: `${url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini,o3-mini',
    }),
    model: 'openai/o3-mini',
    provider: 'openai',
    upstreamModel: 'o3-mini',
    completion: {
      answer: { json: jsonFixture('openai/chat-completion-reasoning.json') },
      usage: tokens(13, 83, 96, { reasoning_tokens: 64 }),
    },
    stream: {
      frames: OPENAI_STREAM,
      usage: tokens(19, 9, 28),
      text: 'The gateway relays every token as it arrives.',
    },
    abort: { afterFrames: 5, text: 'The gateway relays every' },
  },
  {
    name: 'groq (OpenAI-compatible)',
    env: (url) => ({
      GROQ_API_KEY: 'gsk_up_groq_000000',
      GROQ_BASE_URL: `${url}/groq/v1`,
      GROQ_MODELS: 'llama-3.1-8b-instant',
    }),
    model: 'llama-3.1-8b-instant',
    provider: 'groq',
    upstreamModel: 'llama-3.1-8b-instant',
    completion: {
      answer: { json: jsonFixture('openai/chat-completion.json') },
      usage: tokens(24, 8, 32),
    },
    stream: {
      frames: OPENAI_STREAM,
      usage: tokens(19, 9, 28),
      text: 'The gateway relays every token as it arrives.',
    },
    abort: { afterFrames: 3, text: 'The gateway' },
  },
  {
    name: 'anthropic',
    env: (url) => ({
      ANTHROPIC_API_KEY: 'sk-ant-up-000000',
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_MODELS: 'claude-sonnet-4-5',
    }),
    model: 'anthropic/claude-sonnet-4-5',
    provider: 'anthropic',
    upstreamModel: 'claude-sonnet-4-5',
    completion: {
      answer: { json: jsonFixture('anthropic/message-text.json') },
      usage: tokens(1545, 10, 1555, { cached_tokens: 1536 }),
    },
    stream: {
      frames: ANTHROPIC_STREAM,
      usage: tokens(14, 7, 21),
      text: 'Tollgate relays every token.',
    },
    // message_start already reported the prompt (14) and 2 output tokens.
    abort: { afterFrames: 4, text: 'Tollgate relays', reported: { prompt: 14, completion: 2 } },
  },
  {
    name: 'gemini',
    env: (url) => ({
      GEMINI_API_KEY: 'AIza-up-gemini-000000',
      GEMINI_BASE_URL: url,
      GEMINI_MODELS: 'gemini-2.5-flash',
    }),
    model: 'gemini/gemini-2.5-flash',
    provider: 'gemini',
    upstreamModel: 'gemini-2.5-flash',
    completion: {
      answer: { json: jsonFixture('gemini/generate-content-text.json') },
      usage: tokens(14, 44, 58, { reasoning_tokens: 25 }),
    },
    stream: {
      frames: GEMINI_STREAM,
      usage: tokens(12, 41, 53, { reasoning_tokens: 31 }),
      text: 'The gate opens at six and closes at ten.',
    },
    // Every Gemini chunk carries the usage so far: 12 prompt, 2 + 31 thoughts output.
    abort: { afterFrames: 1, text: 'The gate', reported: { prompt: 12, completion: 33 } },
  },
];

/** A stream's time to first token: measured (not 0) and within the request's latency. */
function expectTtft(row: Record<string, any>): void {
  expect(row.ttft_ms).toBeGreaterThan(0);
  expect(row.ttft_ms).toBeLessThanOrEqual(row.latency_ms);
}

const MESSAGES: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'Answer in one sentence.' },
  { role: 'user', content: 'What does the gateway do with tokens?' },
];

describe('usage accounting through the gateway (official openai SDK, managed keys)', () => {
  // Every provider of CASES on one gateway; `h.client` holds the master key.
  const h = useGatewayWithStandIn((url) => Object.assign({}, ...CASES.map((c) => c.env(url))));
  let keyId: string;
  let client: OpenAI;

  /** Admin calls with the master key, their answers checked against openapi.json. */
  const admin = (method: string, path: string, body?: unknown) =>
    api(h.gw).call(method, path, body);

  const createKey = async (body: Record<string, unknown>): Promise<{ id: string; key: string }> => {
    const res = await admin('POST', '/admin/keys', body);
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  };

  /** The usage row for a request id; rows of cut-short requests are written a moment later. */
  const rowFor = async (requestId: string | null): Promise<Record<string, any>> => {
    expect(requestId).toMatch(/^req_/);
    for (let i = 0; i < 100; i++) {
      const { data } = (await admin('GET', '/admin/usage/log?limit=1000')).body as {
        data: Array<Record<string, any>>;
      };
      const rows = data.filter((r) => r.request_id === requestId);
      if (rows.length > 1) throw new Error(`${rows.length} rows for ${requestId}`);
      if (rows.length === 1) return rows[0];
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no usage row for ${requestId}`);
  };

  const rowCount = async (): Promise<number> =>
    ((await admin('GET', '/admin/usage/log?limit=1')).body as { total: number }).total;

  beforeAll(async () => {
    const created = await createKey({ name: 'usage-e2e', metadata: { team: 'qa' } });
    keyId = created.id;
    client = new OpenAI({ apiKey: created.key, baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
  });

  describe.each(CASES)('$name', (c) => {
    const expectRow = (row: Record<string, any>, t: Tokens, stream: boolean): void => {
      expect(row).toMatchObject({
        key_id: keyId,
        requested_model: c.model,
        provider: c.provider,
        model: c.upstreamModel,
        stream,
        status_code: 200,
        partial: false,
        usage_estimated: false,
        error_type: null,
        ...t,
      });
      expect(row.cost_usd).toBeGreaterThan(0);
      expect(row.cost_reason).toBeNull();
      expect(row.latency_ms).toBeGreaterThan(0);
      if (stream) expectTtft(row);
      else expect(row.ttft_ms).toBeNull();
    };

    it('non-streamed: one row with the upstream usage, under the managed key', async () => {
      h.upstream.enqueue(c.completion.answer);
      const { data, response } = await client.chat.completions
        .create({ model: c.model, messages: MESSAGES, user: 'end-user-7' })
        .withResponse();
      expect(data.usage).toMatchObject(
        Object.fromEntries(
          (['prompt_tokens', 'completion_tokens', 'total_tokens'] as const).map((k) => [
            k,
            c.completion.usage[k],
          ]),
        ),
      );
      const row = await rowFor(response.headers.get('x-request-id'));
      expectRow(row, c.completion.usage, false);
      expect(row.user).toBe('end-user-7');
    });

    it('streamed with include_usage: the client gets the usage chunk and the row matches it', async () => {
      h.upstream.enqueue({ frames: c.stream.frames });
      const { data: stream, response } = await client.chat.completions
        .create({
          model: c.model,
          messages: MESSAGES,
          stream: true,
          stream_options: { include_usage: true },
        })
        .withResponse();
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe(c.stream.text);
      expect(usage).toMatchObject({
        prompt_tokens: c.stream.usage.prompt_tokens,
        completion_tokens: c.stream.usage.completion_tokens,
      });
      const row = await rowFor(response.headers.get('x-request-id'));
      expectRow(row, c.stream.usage, true);
    });

    it('streamed without include_usage: no usage chunk reaches the client, the row is still exact', async () => {
      h.upstream.enqueue({ frames: c.stream.frames });
      const res = await api(h.gw, client.apiKey).chat({
        model: c.model,
        messages: MESSAGES,
        stream: true,
      });
      const events = sseEvents(await res.text());
      expect(events.at(-1)).toBe('[DONE]');
      expectStreamConforms(events);
      const chunks = events.slice(0, -1);
      expect(chunks.filter((ch) => ch.usage)).toEqual([]);
      expect(chunks.every((ch) => ch.choices.length > 0)).toBe(true);
      expect(chunks.map((ch) => ch.choices[0].delta.content ?? '').join('')).toBe(c.stream.text);
      expectRow(await rowFor(res.headers.get('x-request-id')), c.stream.usage, true);
    });

    it('client abort mid-stream: a partial row with what was known and what was relayed', async () => {
      h.upstream.enqueue({ frames: c.stream.frames, stallAfterFrames: c.abort.afterFrames });
      const controller = new AbortController();
      const { data: stream, response } = await client.chat.completions
        .create({ model: c.model, messages: MESSAGES, stream: true }, { signal: controller.signal })
        .withResponse();
      let text = '';
      const err = await (async () => {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? '';
          if (text === c.abort.text) controller.abort();
        }
      })().catch((e: unknown) => e);
      // The stand-in stalls, so only the abort can have ended the loop; the SDK ends an
      // aborted stream quietly.
      expect(err).toBeUndefined();
      expect(controller.signal.aborted).toBe(true);
      expect(text).toBe(c.abort.text);
      const row = await rowFor(response.headers.get('x-request-id'));

      const counted = await countTextTokens(c.abort.text);
      const prompt =
        c.abort.reported?.prompt ?? (await estimatePromptTokens({ messages: MESSAGES }));
      const completion = Math.max(c.abort.reported?.completion ?? 0, counted);
      expect(row).toMatchObject({
        key_id: keyId,
        provider: c.provider,
        stream: true,
        status_code: 200,
        partial: true,
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        // Estimated when the gateway's own count exceeds what the upstream had reported.
        usage_estimated: c.abort.reported === undefined || counted > c.abort.reported.completion,
      });
      expectTtft(row);
    });
  });

  it('records the master key as key_id null', async () => {
    h.upstream.enqueue({ json: jsonFixture('openai/chat-completion.json') });
    const { response } = await h.client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: MESSAGES })
      .withResponse();
    const row = await rowFor(response.headers.get('x-request-id'));
    expect(row).toMatchObject({ key_id: null, status_code: 200, prompt_tokens: 24 });
    // gpt-4o-mini: $0.15 and $0.60 per 1M tokens.
    expect(row.cost_usd).toBeCloseTo((24 * 0.15 + 8 * 0.6) / 1e6, 12);
  });

  it('records failures too: validation, routing, upstream error, model not allowed', async () => {
    const ids: string[] = [];
    const attempt = async (
      cli: OpenAI,
      body: Record<string, unknown>,
      status: number,
    ): Promise<void> => {
      const err = (await cli.chat.completions
        .create(body as never)
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(err.status).toBe(status);
      ids.push(err.headers?.get('x-request-id') ?? '');
    };
    await attempt(client, { model: 'openai/gpt-4o-mini', messages: [], user: 'u1' }, 400);
    await attempt(client, { model: 'no-such-model', messages: MESSAGES }, 404);
    // A 429 is retried (twice by default) before it goes back to the client.
    const limited = { status: 429, json: jsonFixture('openai/error-429-rate-limit.json') };
    h.upstream.enqueue(limited, limited, limited);
    await attempt(client, { model: 'openai/gpt-4o-mini', messages: MESSAGES }, 429);
    const narrow = await createKey({ name: 'narrow', models: ['groq/*'] });
    const narrowClient = new OpenAI({
      apiKey: narrow.key,
      baseURL: `${h.gw.url}/v1`,
      maxRetries: 0,
    });
    await attempt(narrowClient, { model: 'openai/gpt-4o-mini', messages: MESSAGES }, 403);

    const rows = await Promise.all(ids.map((id) => rowFor(id)));
    expect(
      rows.map((r) => [r.status_code, r.error_type, r.provider, r.total_tokens, r.cost_usd]),
    ).toEqual([
      [400, 'invalid_request_error', null, 0, 0],
      [404, 'invalid_request_error', null, 0, 0],
      [429, 'requests', 'openai', 0, 0], // the upstream's own error type
      [403, 'permission_error', 'openai', 0, 0],
    ]);
    expect(rows[0]).toMatchObject({
      requested_model: 'openai/gpt-4o-mini',
      user: 'u1',
      key_id: keyId,
    });
    expect(rows[3].key_id).toBe(narrow.id);
    expect(rows[2].attempts).toBe(3);
    expect(h.upstream.requests).toHaveLength(3); // the 403 never reached the upstream
  });

  it('records a non-streamed request the client gave up on as 499, partial', async () => {
    h.upstream.enqueue({ json: jsonFixture('openai/chat-completion.json'), delayMs: 300 });
    const controller = new AbortController();
    const pending = client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: MESSAGES }, { signal: controller.signal })
      .catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = await rowCount();
    controller.abort();
    await pending;
    for (let i = 0; i < 100 && (await rowCount()) === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const { data } = (await admin('GET', '/admin/usage/log?limit=1')).body as {
      data: Array<Record<string, any>>;
    };
    expect(data[0]).toMatchObject({
      status_code: 499,
      error_type: 'client_closed',
      partial: true,
      usage_estimated: true,
      completion_tokens: 0,
      prompt_tokens: await estimatePromptTokens({ messages: MESSAGES }),
    });
  });

  it('records nothing for requests that fail authentication', async () => {
    const before = await rowCount();
    const res = await api(h.gw, 'tg-not-a-real-key').call('POST', '/v1/chat/completions', {
      model: 'openai/gpt-4o-mini',
      messages: MESSAGES,
    });
    expect(res.status).toBe(401);
    expect(await rowCount()).toBe(before);
  });
});

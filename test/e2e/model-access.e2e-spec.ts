import { fixture, jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { api } from '../support/http.js';
import { StandInUpstream } from '../support/stand-in-upstream.js';

/**
 * Model access control end to end: a managed key allowed `openai/*` reaches nothing but
 * the `openai` instance, however the model or `provider` field is spelled, and no model
 * id changes the URL an upstream is sent. Every refusal happens before any upstream call.
 */
describe('model access control (allowlist on the resolved target, safe upstream URLs)', () => {
  let upstream: StandInUpstream;
  let gw: RunningGateway;
  let openaiOnly: string;

  const post = (token: string, body: Record<string, unknown>) =>
    api(gw, token).call('POST', '/v1/chat/completions', {
      messages: [{ role: 'user', content: 'hi' }],
      ...body,
    });

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    const completion = { json: jsonFixture('openai/chat-completion.json') };
    for (const p of ['openai', 'groq', 'openrouter']) {
      upstream.on('POST', `/${p}/v1/chat/completions`, completion);
    }
    upstream.on('POST', '/anthropic/v1/messages', {
      json: jsonFixture('anthropic/message-text.json'),
    });
    upstream.on('POST', '/gemini/v1beta/', {
      headers: { 'content-type': 'application/json' },
      body: fixture('gemini/generate-content-text.json'),
    });
    // Anything that escapes a base path lands here, and is answered like a model would.
    upstream.on('POST', '/', completion);
    gw = await startGateway({
      OPENAI_API_KEY: 'sk-up-000000000000',
      OPENAI_BASE_URL: `${upstream.url}/openai/v1`,
      OPENAI_MODELS: 'gpt-4o,gpt-4o-mini',
      GROQ_API_KEY: 'gsk-up-00000000000',
      GROQ_BASE_URL: `${upstream.url}/groq/v1`,
      GROQ_MODELS: 'llama-3.1-8b-instant,openai/gpt-oss-120b',
      OPENROUTER_API_KEY: 'sk-or-up-000000000',
      OPENROUTER_BASE_URL: `${upstream.url}/openrouter/v1`,
      OPENROUTER_MODELS: 'openai/gpt-4o',
      ANTHROPIC_API_KEY: 'sk-ant-up-00000000',
      ANTHROPIC_BASE_URL: `${upstream.url}/anthropic`,
      ANTHROPIC_MODELS: 'claude-sonnet-4-5',
      GEMINI_API_KEY: 'AIzaSyStandIn000000',
      GEMINI_BASE_URL: `${upstream.url}/gemini`,
      GEMINI_MODELS: 'gemini-2.5-pro',
    });
    const created = await api(gw).call('POST', '/admin/keys', {
      name: 'openai-only',
      models: ['openai/*'],
    });
    expect(created.status).toBe(201);
    openaiOnly = (created.body as { key: string }).key;
  });
  beforeEach(() => {
    upstream.requests.length = 0;
  });
  afterAll(async () => {
    await gw?.close();
    await upstream?.stop();
  });

  const refusedBeforeUpstream = async (
    token: string,
    body: Record<string, unknown>,
    status: number,
    code: string,
  ) => {
    const res = await post(token, body);
    expect({ status: res.status, error: res.body.error }).toEqual({
      status,
      error: {
        message: expect.any(String),
        type: status === 403 ? 'permission_error' : 'invalid_request_error',
        param: 'model',
        code,
      },
    });
    expect(upstream.requests.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  };

  it('serves what the key allows, on the openai instance only', async () => {
    expect((await post(openaiOnly, { model: 'openai/gpt-4o' })).status).toBe(200);
    expect((await post(openaiOnly, { model: 'gpt-4o', provider: 'openai' })).status).toBe(200);
    expect(upstream.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /openai/v1/chat/completions',
      'POST /openai/v1/chat/completions',
    ]);
  });

  describe('Gemini: dot segments in the model pick another model or leave the base path', () => {
    it('gemini/gemini-2.5-pro is refused to an openai/* key', async () => {
      await refusedBeforeUpstream(
        openaiOnly,
        { model: 'gemini/gemini-2.5-pro' },
        403,
        'model_not_allowed',
      );
    });

    it.each([
      [{ model: 'gemini/openai/../gemini-2.5-pro' }],
      [{ model: 'openai/../gemini-2.5-pro', provider: 'gemini' }],
      [{ model: 'gemini/../../../../evil' }],
    ])('%j is a 400 invalid_model, no upstream call', async (body) => {
      await refusedBeforeUpstream(openaiOnly, body, 400, 'invalid_model');
    });

    it.each([
      'gemini/../../../../evil',
      'gemini/openai/../gemini-2.5-pro',
      'gemini/%2e%2e/%2e%2e/evil',
      'gemini/models%2f..%2fevil',
      'gemini/gemini-2.5-pro?alt=json',
      'gemini/gemini-2.5-pro#x',
      'gemini/gemini-2.5-pro:streamGenerateContent',
      'gemini/tunedModels/../../evil',
    ])('%s is refused even to the master key (no allowlist)', async (model) => {
      await refusedBeforeUpstream(MASTER_KEY, { model }, 400, 'invalid_model');
    });

    it('a well-formed Gemini model reaches exactly its generateContent URL', async () => {
      expect((await post(MASTER_KEY, { model: 'gemini/models/gemini-2.5-pro' })).status).toBe(200);
      expect(upstream.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /gemini/v1beta/models/gemini-2.5-pro:generateContent',
      ]);
    });
  });

  describe('provider hints and provider-prefixed upstream ids', () => {
    it.each(['groq', 'anthropic', 'openrouter'])(
      '{"model":"openai/gpt-4o","provider":"%s"} is refused to an openai/* key',
      async (provider) => {
        await refusedBeforeUpstream(
          openaiOnly,
          { model: 'openai/gpt-4o', provider },
          403,
          'model_not_allowed',
        );
      },
    );

    it('{"model":"openai/gpt-4o","provider":"gemini"} is refused: not a Gemini model id', async () => {
      await refusedBeforeUpstream(
        openaiOnly,
        { model: 'openai/gpt-4o', provider: 'gemini' },
        400,
        'invalid_model',
      );
    });

    it.each(['openrouter/openai/gpt-4o', 'groq/openai/gpt-oss-120b'])(
      '%s (an upstream id starting with openai/) is refused to an openai/* key',
      async (model) => {
        await refusedBeforeUpstream(openaiOnly, { model }, 403, 'model_not_allowed');
      },
    );
  });
});

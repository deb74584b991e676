import OpenAI from 'openai';
import { jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { api } from '../support/http.js';
import { StandInUpstream } from '../support/stand-in-upstream.js';

describe('admin API: managed keys and usage (master key only)', () => {
  let upstream: StandInUpstream;
  let gw: RunningGateway;

  /** An admin call, its answer checked against openapi.json. */
  const call = (method: string, path: string, body?: unknown, token = MASTER_KEY) =>
    api(gw, token).call(method, path, body);

  const chat = (token: string, model = 'openai/gpt-4o-mini') =>
    new OpenAI({ apiKey: token, baseURL: `${gw.url}/v1`, maxRetries: 0 }).chat.completions
      .create({ model, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => 200,
        (e: InstanceType<typeof OpenAI.APIError>) => e.status,
      );

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    upstream.on('POST', '/v1/chat/completions', {
      json: jsonFixture('openai/chat-completion.json'),
    });
    upstream.on('POST', '/groq/v1/chat/completions', {
      json: jsonFixture('openai/chat-completion.json'),
    });
    gw = await startGateway({
      OPENAI_API_KEY: 'sk-up-000000000000',
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini,gpt-4o',
      GROQ_API_KEY: 'gsk-up-00000000000',
      GROQ_BASE_URL: `${upstream.url}/groq/v1`,
      GROQ_MODELS: 'llama-3.1-8b-instant',
    });
  });
  afterAll(async () => {
    await gw.close();
    await upstream.stop();
  });

  describe('keys', () => {
    it('creates a key shown once, which works at once and is listed without any secret', async () => {
      const created = await call('POST', '/admin/keys', {
        name: 'ci-runner',
        expires_at: '2099-01-01T00:00:00Z',
        models: ['openai/*'],
        rpm: 60,
        tpm: 50_000,
        budget_usd: 25.5,
        budget_period: 'monthly',
        metadata: { team: 'search' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^key_[0-9a-f]{32}$/),
        object: 'api_key',
        key: expect.stringMatching(/^tg-[A-Za-z0-9_-]{43}$/),
        name: 'ci-runner',
        key_prefix: created.body.key.slice(0, 11),
        status: 'active',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        expires_at: '2099-01-01T00:00:00.000Z',
        revoked_at: null,
        team_id: null,
        models: ['openai/*'],
        rpm: 60,
        tpm: 50_000,
        max_parallel: null,
        budget_usd: 25.5,
        budget_period: 'monthly',
        metadata: { team: 'search' },
      });
      expect(await chat(created.body.key)).toBe(200);

      const listed = await call('GET', '/admin/keys');
      expect(listed.status).toBe(200);
      const entry = listed.body.data.find((k: { id: string }) => k.id === created.body.id);
      const { key: _secret, ...withoutSecret } = created.body;
      expect(entry).toEqual(withoutSecret);
      expect(JSON.stringify(listed.body)).not.toContain(created.body.key.slice(11));
      expect(JSON.stringify(listed.body)).not.toMatch(/[0-9a-f]{64}/);
    });

    it('revokes: the key gets 401 from then on; unknown ids get a 404 envelope', async () => {
      const { body: k } = await call('POST', '/admin/keys', { name: 'short-lived' });
      expect(await chat(k.key)).toBe(200);
      const revoked = await call('DELETE', `/admin/keys/${k.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: k.id, status: 'revoked' });
      expect(revoked.body.revoked_at).toMatch(/^\d{4}-\d\d-\d\dT/);
      const res = await call('GET', '/v1/models', undefined, k.key);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message: 'This API key has been revoked.',
          type: 'authentication_error',
          param: null,
          code: 'api_key_revoked',
        },
      });

      const { status, body } = await call('DELETE', '/admin/keys/key_does_not_exist');
      expect({ status, body }).toEqual({
        status: 404,
        body: {
          error: {
            message: "No API key with id 'key_does_not_exist'.",
            type: 'invalid_request_error',
            param: 'id',
            code: 'key_not_found',
          },
        },
      });
    });

    it('validates the body, naming the offending field', async () => {
      const cases: Array<[unknown, string]> = [
        [{}, 'name'],
        [{ name: '' }, 'name'],
        [{ name: 'x', expires_at: 'tomorrow' }, 'expires_at'],
        [{ name: 'x', expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
        [{ name: 'x', models: 'gpt-4o' }, 'models'],
        [{ name: 'x', models: [] }, 'models'],
        [{ name: 'x', rpm: 0 }, 'rpm'],
        [{ name: 'x', tpm: 1.5 }, 'tpm'],
        [{ name: 'x', budget_usd: -1 }, 'budget_usd'],
        [{ name: 'x', budget_usd: 5, budget_period: 'yearly' }, 'budget_period'],
        [{ name: 'x', budget_period: 'daily' }, 'budget_period'],
        [{ name: 'x', metadata: { n: 1 } }, 'metadata'],
      ];
      for (const [body, param] of cases) {
        const res = await call('POST', '/admin/keys', body);
        expect([JSON.stringify(body), res.status, res.body.error?.param]).toEqual([
          JSON.stringify(body),
          400,
          param,
        ]);
        expect(res.body.error.type).toBe('invalid_request_error');
      }
    });

    it('is for the master key only', async () => {
      const { body: k } = await call('POST', '/admin/keys', { name: 'not-admin' });
      for (const [method, path] of [
        ['GET', '/admin/keys'],
        ['POST', '/admin/keys'],
        ['DELETE', `/admin/keys/${k.id}`],
        ['GET', '/admin/usage/log'],
        ['GET', '/admin/usage/summary'],
      ]) {
        const res = await call(method, path, method === 'POST' ? { name: 'x' } : undefined, k.key);
        expect([method, path, res.status, res.body.error.code]).toEqual([
          method,
          path,
          403,
          'master_key_required',
        ]);
        expect((await call(method, path, undefined, 'tg-wrong')).status).toBe(401);
      }
    });

    it('refuses models outside the allowlist with a 403 envelope, after routing', async () => {
      const { body: k } = await call('POST', '/admin/keys', {
        name: 'llama-only',
        models: ['groq/llama-3.1-8b-instant'],
      });
      expect(await chat(k.key, 'llama-3.1-8b-instant')).toBe(200);
      expect(await chat(k.key, 'groq/llama-3.1-8b-instant')).toBe(200);
      const err = (await new OpenAI({
        apiKey: k.key,
        baseURL: `${gw.url}/v1`,
        maxRetries: 0,
      }).chat.completions
        .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(err.status).toBe(403);
      expect(err.error).toEqual({
        message: "This API key is not allowed to use the model 'openai/gpt-4o-mini'.",
        type: 'permission_error',
        param: 'model',
        code: 'model_not_allowed',
      });
    });
  });

  describe('usage', () => {
    let keyA: { id: string; key: string };
    let keyB: { id: string; key: string };
    let from: string;

    beforeAll(async () => {
      from = new Date().toISOString();
      keyA = (await call('POST', '/admin/keys', { name: 'a' })).body;
      keyB = (await call('POST', '/admin/keys', { name: 'b' })).body;
      for (const [token, model] of [
        [keyA.key, 'openai/gpt-4o-mini'],
        [keyA.key, 'openai/gpt-4o-mini'],
        [keyA.key, 'llama-3.1-8b-instant'],
        [keyB.key, 'openai/gpt-4o'],
      ]) {
        expect(await chat(token, model)).toBe(200);
      }
    });

    it('lists entries newest first with every interface field, filtered and paged', async () => {
      const all = await call('GET', `/admin/usage/log?from=${encodeURIComponent(from)}`);
      expect(all.status).toBe(200);
      expect(all.body.total).toBe(4);
      expect(Object.keys(all.body.data[0]).sort()).toEqual(
        [
          'id',
          'request_id',
          'created_at',
          'key_id',
          'team_id',
          'requested_model',
          'provider',
          'model',
          'stream',
          'status_code',
          'prompt_tokens',
          'completion_tokens',
          'total_tokens',
          'cached_tokens',
          'cache_write_tokens',
          'reasoning_tokens',
          'cost_usd',
          'cost_reason',
          'latency_ms',
          'ttft_ms',
          'error_type',
          'error_code',
          'partial',
          'usage_estimated',
          'user',
          'attempts',
          'trace_id',
        ].sort(),
      );
      const times = all.body.data.map((e: { created_at: string }) => e.created_at);
      expect([...times].sort().reverse()).toEqual(times);
      expect(all.body.data.map((e: { model: string }) => e.model)).toEqual([
        'gpt-4o',
        'llama-3.1-8b-instant',
        'gpt-4o-mini',
        'gpt-4o-mini',
      ]);

      const byKey = await call('GET', `/admin/usage/log?key_id=${keyA.id}&limit=2&offset=1`);
      expect(byKey.body.total).toBe(3);
      expect(byKey.body.data.map((e: { model: string }) => e.model)).toEqual([
        'gpt-4o-mini',
        'gpt-4o-mini',
      ]);
      const byProvider = await call('GET', `/admin/usage/log?provider=groq&from=${from}`);
      expect(byProvider.body.total).toBe(1);
      const byModel = await call('GET', `/admin/usage/log?model=openai/gpt-4o-mini&from=${from}`);
      expect(byModel.body.total).toBe(2);
      const bare = await call('GET', `/admin/usage/log?model=gpt-4o&from=${from}`);
      expect(bare.body.total).toBe(1);
      const none = await call('GET', `/admin/usage/log?to=${from}&key_id=${keyA.id}`);
      expect(none.body).toEqual({ data: [], total: 0 });
    });

    it('defaults to 100 entries and allows at most 1000', async () => {
      expect((await call('GET', '/admin/usage/log?limit=1000')).status).toBe(200);
      const bad = await call('GET', '/admin/usage/log?limit=1001');
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', param: 'limit' });
    });

    it('answers bad parameters with a 400 envelope naming them', async () => {
      for (const [query, param] of [
        ['limit=0', 'limit'],
        ['limit=ten', 'limit'],
        ['offset=-1', 'offset'],
        ['from=yesterday', 'from'],
        ['to=2026-13-01', 'to'],
        ['from=2026-02-01&to=2026-01-01', 'from'],
        ['limt=5', 'limt'],
      ]) {
        const res = await call('GET', `/admin/usage/log?${query}`);
        expect([query, res.status, res.body.error?.param]).toEqual([query, 400, param]);
      }
      const res = await call('GET', '/admin/usage/summary?group_by=colour');
      expect([res.status, res.body.error.param]).toEqual([400, 'group_by']);
    });

    it('totals by model, provider, key and day', async () => {
      const summary = async (groupBy: string) =>
        (await call('GET', `/admin/usage/summary?group_by=${groupBy}&from=${from}`)).body.data;
      const byModel = await summary('model');
      expect(
        byModel.map((g: { group: string; requests: number }) => [g.group, g.requests]),
      ).toEqual([
        ['openai/gpt-4o', 1], // most expensive first
        ['openai/gpt-4o-mini', 2],
        ['groq/llama-3.1-8b-instant', 1],
      ]);
      expect(byModel[1]).toEqual({
        group: 'openai/gpt-4o-mini',
        requests: 2,
        prompt_tokens: 48,
        completion_tokens: 16,
        total_tokens: 64,
        cost_usd: (2 * (24 * 0.15 + 8 * 0.6)) / 1e6,
        unpriced_requests: 0,
      });
      const byKey = await summary('key');
      expect(
        byKey.map((g: { group: string; requests: number }) => [g.group, g.requests]).sort(),
      ).toEqual(
        [
          [keyA.id, 3],
          [keyB.id, 1],
        ].sort(),
      );
      const byProvider = await summary('provider');
      expect(byProvider.map((g: { group: string }) => g.group).sort()).toEqual(['groq', 'openai']);
      const byDay = await summary('day');
      expect(byDay).toHaveLength(1);
      expect(byDay[0]).toMatchObject({ group: new Date().toISOString().slice(0, 10), requests: 4 });
      const defaulted = (await call('GET', `/admin/usage/summary?from=${from}`)).body.data;
      expect(defaulted).toEqual(byModel);
    });
  });
});

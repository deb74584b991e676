import OpenAI from 'openai';
import { parseCsv } from '../support/csv.js';
import { createTestSchema, describeWith, type TestSchema } from '../support/external-services.js';
import { jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { api } from '../support/http.js';
import { sleep, StandInUpstream } from '../support/stand-in-upstream.js';
import { usageRecord } from '../support/usage.js';
import { UsageRepository } from '../../src/usage/usage.repository.js';

/** The entry fields in the interface's order (docs/interface.md, GET /admin/usage/log). */
const CONTRACT_FIELDS = [
  'id',
  'request_id',
  'created_at',
  'key_id',
  'team_id',
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
  'latency_ms',
  'ttft_ms',
  'error_type',
  'partial',
  'attempts',
];

describe('admin API [SQLite]', () => {
  adminSuite(() => ({}));
});

describeWith('postgres', 'admin API [PostgreSQL]', (url) => {
  let schema: TestSchema | undefined;
  beforeAll(async () => {
    schema = await createTestSchema(url);
  });
  afterAll(async () => {
    await schema?.drop();
  });
  adminSuite(() => ({ DATABASE_URL: schema!.url }));
});

/** Managed keys, teams and usage through the real gateway (master key only), on one database. */
function adminSuite(databaseEnv: () => Record<string, string>): void {
  let upstream: StandInUpstream;
  let gw: RunningGateway;

  /** An admin call, its answer checked against openapi.json. */
  const call = (method: string, path: string, body?: unknown, token = MASTER_KEY) =>
    api(gw, token).call(method, path, body);

  const chat = (token: string, model = 'openai/gpt-4o-mini', user?: string) =>
    new OpenAI({ apiKey: token, baseURL: `${gw.url}/v1`, maxRetries: 0 }).chat.completions
      .create({ model, messages: [{ role: 'user', content: 'hi' }], ...(user && { user }) })
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
      LOG_LEVEL: 'warn',
      ...databaseEnv(),
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
        previous_key_expires_at: null,
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

  describe('one key: read, change, rotate', () => {
    it('reads one key without its secret; 404 for an unknown id', async () => {
      const { body: k } = await call('POST', '/admin/keys', { name: 'readable' });
      const res = await call('GET', `/admin/keys/${k.id}`);
      const { key: secret, ...shown } = k;
      expect(res).toMatchObject({ status: 200, body: shown });
      expect(JSON.stringify(res.body)).not.toContain(secret.slice(11));
      const missing = await call('GET', '/admin/keys/key_none');
      expect([missing.status, missing.body.error.code]).toEqual([404, 'key_not_found']);
    });

    it('changes name, allowlist, limits, expiry and metadata; null clears; the key keeps working', async () => {
      const { body: k } = await call('POST', '/admin/keys', { name: 'patchable', rpm: 5 });
      const patched = await call('PATCH', `/admin/keys/${k.id}`, {
        name: 'patched',
        models: ['openai/gpt-4o-mini'],
        rpm: null,
        tpm: 1_000_000,
        expires_at: '2098-05-01T00:00:00Z',
        metadata: { owner: 'qa' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        id: k.id,
        name: 'patched',
        models: ['openai/gpt-4o-mini'],
        rpm: null,
        tpm: 1_000_000,
        expires_at: '2098-05-01T00:00:00.000Z',
        metadata: { owner: 'qa' },
        key_prefix: k.key_prefix,
      });
      expect((await call('GET', `/admin/keys/${k.id}`)).body).toEqual(patched.body);
      expect(await chat(k.key)).toBe(200);
      expect(await chat(k.key, 'openai/gpt-4o')).toBe(403);
      const bad = await call('PATCH', `/admin/keys/${k.id}`, { name: null });
      expect([bad.status, bad.body.error.param]).toEqual([400, 'name']);
    });

    it('rotates: a new secret shown once, the old one works through the grace period, then 401', async () => {
      const { body: k } = await call('POST', '/admin/keys', { name: 'rotating', rpm: 1000 });
      expect(await chat(k.key)).toBe(200);
      const rotated = await call('POST', `/admin/keys/${k.id}/rotate`, { grace_seconds: 1 });
      expect(rotated.status).toBe(200);
      const { key: newKey, previous_key_expires_at: deadline, ...rest } = rotated.body;
      const { key: oldKey, previous_key_expires_at: none, key_prefix: _p, ...before } = k;
      expect(none).toBeNull();
      expect(newKey).toMatch(/^tg-[A-Za-z0-9_-]{43}$/);
      expect(newKey).not.toBe(oldKey);
      // Same key: id, name, limits; only the secret (and its prefix) changed.
      expect(rest).toEqual({ ...before, key_prefix: newKey.slice(0, 11) });
      expect(Date.parse(deadline) - Date.now()).toBeGreaterThan(0);
      expect(Date.parse(deadline) - Date.now()).toBeLessThanOrEqual(1_000);

      expect(await chat(newKey)).toBe(200);
      expect(await chat(oldKey)).toBe(200); // within the grace period
      // Never shown again.
      expect(JSON.stringify((await call('GET', `/admin/keys/${k.id}`)).body)).not.toContain(
        newKey.slice(11),
      );

      await sleep(Math.max(0, Date.parse(deadline) - Date.now()) + 50);
      const refused = await call('GET', '/v1/models', undefined, oldKey);
      expect(refused).toMatchObject({
        status: 401,
        body: {
          error: {
            message: 'This API key has been rotated; use the new key.',
            type: 'authentication_error',
            code: 'api_key_rotated',
          },
        },
      });
      expect(await chat(newKey)).toBe(200);
      expect((await call('GET', `/admin/keys/${k.id}`)).body.previous_key_expires_at).toBeNull();

      // Both secrets' requests are the same key's history.
      const log = await call('GET', `/admin/usage/log?key_id=${k.id}`);
      expect(log.body.data.map((e: { status_code: number }) => e.status_code).sort()).toEqual([
        200, 200, 200, 200,
      ]);
    });

    it('rotates without a grace period: the old secret is refused at once', async () => {
      const { body: k } = await call('POST', '/admin/keys', { name: 'no-grace' });
      expect(await chat(k.key)).toBe(200); // cached on this replica
      const rotated = await call('POST', `/admin/keys/${k.id}/rotate`, {});
      expect(rotated.status).toBe(200);
      expect(rotated.body.previous_key_expires_at).toBeNull();
      expect(await chat(k.key)).toBe(401);
      expect(await chat(rotated.body.key)).toBe(200);
      // Rotating again replaces the secret just issued.
      const again = await call('POST', `/admin/keys/${k.id}/rotate`, { grace_seconds: 60 });
      expect(await chat(rotated.body.key)).toBe(200);
      expect(await chat(again.body.key)).toBe(200);
      await call('POST', `/admin/keys/${k.id}/rotate`, {});
      expect(await chat(rotated.body.key)).toBe(401); // its grace ended with the next rotation
      expect(await chat(again.body.key)).toBe(401);
    });

    it('refuses to rotate an unknown (404), revoked or expired (409) key, and bad bodies (400)', async () => {
      const expect4xx = async (path: string, body: unknown, status: number, code: string) => {
        const res = await call('POST', path, body);
        expect([path, res.status, res.body.error?.code]).toEqual([path, status, code]);
      };
      await expect4xx('/admin/keys/key_none/rotate', {}, 404, 'key_not_found');
      const { body: k } = await call('POST', '/admin/keys', { name: 'to-revoke' });
      await call('DELETE', `/admin/keys/${k.id}`);
      await expect4xx(`/admin/keys/${k.id}/rotate`, {}, 409, 'key_revoked');
      expect(await chat(k.key)).toBe(401);

      const { body: live } = await call('POST', '/admin/keys', { name: 'rotatable' });
      for (const grace of [-1, 1.5, 604_801, '60']) {
        const res = await call('POST', `/admin/keys/${live.id}/rotate`, { grace_seconds: grace });
        expect([grace, res.status, res.body.error.param]).toEqual([grace, 400, 'grace_seconds']);
      }
      const noBody = await api(gw).post(`/admin/keys/${live.id}/rotate`, undefined);
      expect(noBody.status).toBe(400);
      // None of the refusals rotated it.
      expect(await chat(live.key)).toBe(200);
      expect(
        (await call('POST', `/admin/keys/${live.id}/rotate`, { grace_seconds: 604_800 })).status,
      ).toBe(200);
    });
  });

  describe('lists and unknown fields', () => {
    it('pages every admin list with limit and offset, and says the total', async () => {
      for (let i = 0; i < 3; i++) {
        await call('POST', '/admin/keys', { name: `paged-${i}` });
        await call('POST', '/admin/teams', { name: `paged-${i}` });
      }
      for (const path of ['/admin/keys', '/admin/teams']) {
        const all = await call('GET', `${path}?limit=1000`);
        expect(all.status).toBe(200);
        expect(all.body.total).toBe(all.body.data.length);
        expect(all.body.total).toBeGreaterThanOrEqual(3);
        const page = await call('GET', `${path}?limit=2&offset=1`);
        expect(page.body).toEqual({ data: all.body.data.slice(1, 3), total: all.body.total });
        const past = await call('GET', `${path}?offset=${all.body.total}`);
        expect(past.body).toEqual({ data: [], total: all.body.total });
        for (const [query, param] of [
          ['limit=0', 'limit'],
          ['limit=1001', 'limit'],
          ['offset=-1', 'offset'],
          ['page=2', 'page'],
        ]) {
          const res = await call('GET', `${path}?${query}`);
          expect([path, query, res.status, res.body.error?.param]).toEqual([
            path,
            query,
            400,
            param,
          ]);
        }
      }
    });

    it('refuses unknown fields in every admin body with 400 naming them', async () => {
      const { body: k } = await call('POST', '/admin/keys', { name: 'strict' });
      const { body: t } = await call('POST', '/admin/teams', { name: 'strict' });
      const cases: Array<[string, string, Record<string, unknown>, string[]]> = [
        ['POST', '/admin/keys', { name: 'x', team: 'search' }, ['team']],
        ['POST', '/admin/keys', { name: 'x', team: 's', budget: 5 }, ['team', 'budget']],
        ['PATCH', `/admin/keys/${k.id}`, { rpm: 5, rate: 5 }, ['rate']],
        ['POST', `/admin/keys/${k.id}/rotate`, { grace: 60 }, ['grace']],
        ['POST', '/admin/teams', { name: 'x', team_id: 't' }, ['team_id']],
        ['PATCH', `/admin/teams/${t.id}`, { expires_at: '2099-01-01T00:00:00Z' }, ['expires_at']],
      ];
      for (const [method, path, body, unknown] of cases) {
        const res = await call(method, path, body);
        expect([method, path, res.status, res.body.error]).toEqual([
          method,
          path,
          400,
          {
            message: `Unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `'${f}'`).join(', ')}.`,
            type: 'invalid_request_error',
            param: unknown[0],
            code: 'unknown_parameter',
          },
        ]);
      }
      // Nothing was changed by the refused calls.
      expect((await call('GET', `/admin/keys/${k.id}`)).body.rpm).toBeNull();
      expect(await chat(k.key)).toBe(200);
    });

    it('refuses unknown query parameters the same way', async () => {
      for (const path of [
        '/admin/keys?limt=5',
        '/admin/teams?limt=5',
        '/admin/usage/log?limt=5',
        '/admin/usage/summary?group=key',
      ]) {
        const res = await call('GET', path);
        expect([path, res.status, res.body.error?.code]).toEqual([path, 400, 'unknown_parameter']);
      }
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
        (await call('GET', `/admin/usage/summary?group_by=${groupBy}&from=${from}`)).body;
      const byModel = await summary('model');
      expect(byModel.total).toBe(3);
      expect(
        byModel.data.map((g: { group: object; requests: number }) => [g.group, g.requests]),
      ).toEqual([
        [{ model: 'openai/gpt-4o' }, 1], // most expensive first
        [{ model: 'openai/gpt-4o-mini' }, 2],
        [{ model: 'groq/llama-3.1-8b-instant' }, 1],
      ]);
      expect(byModel.data[1]).toEqual({
        group: { model: 'openai/gpt-4o-mini' },
        requests: 2,
        prompt_tokens: 48,
        completion_tokens: 16,
        total_tokens: 64,
        cost_usd: (2 * (24 * 0.15 + 8 * 0.6)) / 1e6,
        unpriced_requests: 0,
      });
      const byKey = await summary('key');
      expect(
        byKey.data.map((g: { group: object; requests: number }) => [g.group, g.requests]),
      ).toEqual([
        [{ key_id: keyB.id, key_name: 'b' }, 1], // gpt-4o costs more than three cheap ones
        [{ key_id: keyA.id, key_name: 'a' }, 3],
      ]);
      const byProvider = await summary('provider');
      expect(byProvider.data.map((g: { group: { provider: string } }) => g.group.provider)).toEqual(
        ['openai', 'groq'],
      );
      const byDay = await summary('day');
      expect(byDay.data).toHaveLength(1);
      expect(byDay.data[0]).toMatchObject({
        group: { day: new Date().toISOString().slice(0, 10) },
        requests: 4,
      });
      expect(await summary('')).toMatchObject({ error: { param: 'group_by' } });
      const defaulted = (await call('GET', `/admin/usage/summary?from=${from}`)).body;
      expect(defaulted).toEqual(byModel);
    });
  });

  describe('spend per team and key per day, filters and CSV export', () => {
    let team: { id: string; name: string };
    let inTeam: { id: string; key: string };
    let alone: { id: string; key: string };
    let from: string;
    /** A model a caller made up: a comma, a quote, a line break, and a formula. */
    const WEIRD_MODEL = '=cmd|x,"quoted"\nnext';
    const FORMULA_USER = '=HYPERLINK("http://example.invalid","x")';

    /** The log entries of this block, as JSON. */
    const entries = async (query = ''): Promise<Array<Record<string, any>>> =>
      (await call('GET', `/admin/usage/log?limit=1000&from=${encodeURIComponent(from)}${query}`))
        .body.data;

    beforeAll(async () => {
      await sleep(5); // rows of earlier tests fall before `from`
      from = new Date().toISOString();
      team = (await call('POST', '/admin/teams', { name: 'search team' })).body;
      inTeam = (await call('POST', '/admin/keys', { name: 'search-ci', team_id: team.id })).body;
      alone = (await call('POST', '/admin/keys', { name: 'solo' })).body;
      expect(await chat(inTeam.key, 'openai/gpt-4o-mini', FORMULA_USER)).toBe(200);
      expect(await chat(inTeam.key, 'openai/gpt-4o-mini')).toBe(200);
      expect(await chat(alone.key, 'openai/gpt-4o')).toBe(200);
      expect(await chat(MASTER_KEY, 'openai/gpt-4o-mini')).toBe(200);
      // Refused (no such model), recorded all the same with the model as sent.
      expect(await chat(alone.key, WEIRD_MODEL)).toBe(404);
    });

    it('answers spend per team and key per day in one call, with names beside the ids', async () => {
      const res = await call(
        'GET',
        `/admin/usage/summary?group_by=team,key,day&from=${encodeURIComponent(from)}`,
      );
      expect(res.status).toBe(200);
      const day = new Date().toISOString().slice(0, 10);
      const today = (group: object) => ({ ...group, day });
      expect(
        res.body.data.map((r: Record<string, any>) => [r.group, r.requests, r.prompt_tokens]),
      ).toEqual([
        [today({ team_id: null, team_name: null, key_id: alone.id, key_name: 'solo' }), 2, 24],
        [
          today({
            team_id: team.id,
            team_name: 'search team',
            key_id: inTeam.id,
            key_name: 'search-ci',
          }),
          2,
          48,
        ],
        [today({ team_id: null, team_name: null, key_id: null, key_name: null }), 1, 24], // master key
      ]);
      expect(res.body.total).toBe(3);
      // The group holds the dimensions in the order asked for.
      expect(Object.keys(res.body.data[0].group)).toEqual([
        'team_id',
        'team_name',
        'key_id',
        'key_name',
        'day',
      ]);
      // Named once however often asked for.
      const dup = await call(
        'GET',
        `/admin/usage/summary?group_by=team,key,team,day,key&from=${encodeURIComponent(from)}`,
      );
      expect(dup.body).toEqual(res.body);
      // Pages of groups.
      const page = await call(
        'GET',
        `/admin/usage/summary?group_by=team,key,day&limit=1&offset=1&from=${encodeURIComponent(from)}`,
      );
      expect(page.body).toEqual({ data: res.body.data.slice(1, 2), total: 3 });
    });

    it('totals the same under every combination of group_by, and the same as the log', async () => {
      const log = await entries();
      expect(log).toHaveLength(5);
      const expected = {
        requests: log.length,
        prompt_tokens: log.reduce((n, e) => n + e.prompt_tokens, 0),
        total_tokens: log.reduce((n, e) => n + e.total_tokens, 0),
        cost_nanos: log.reduce((n, e) => n + Math.round((e.cost_usd ?? 0) * 1e9), 0),
      };
      const dims = ['model', 'provider', 'key', 'team', 'day'];
      for (let mask = 1; mask < 1 << dims.length; mask++) {
        const groupBy = dims.filter((_d, i) => mask & (1 << i)).join(',');
        const { body } = await call(
          'GET',
          `/admin/usage/summary?group_by=${groupBy}&from=${encodeURIComponent(from)}&limit=1000`,
        );
        const rows: Array<Record<string, any>> = body.data;
        expect([groupBy, rows.length]).toEqual([groupBy, body.total]);
        expect([
          groupBy,
          {
            requests: rows.reduce((n, r) => n + r.requests, 0),
            prompt_tokens: rows.reduce((n, r) => n + r.prompt_tokens, 0),
            total_tokens: rows.reduce((n, r) => n + r.total_tokens, 0),
            cost_nanos: rows.reduce((n, r) => n + Math.round(r.cost_usd * 1e9), 0),
          },
        ]).toEqual([groupBy, expected]);
        for (const r of rows) expect(Object.keys(r.group).length).toBeGreaterThan(0);
      }
    });

    it('filters the summary by key, team, provider, model and time', async () => {
      const groups = async (query: string) => {
        const { status, body } = await call(
          'GET',
          `/admin/usage/summary?from=${encodeURIComponent(from)}&${query}`,
        );
        expect([query, status]).toEqual([query, 200]);
        return body.data.map((r: Record<string, any>) => [r.group, r.requests]);
      };
      expect(await groups(`group_by=key&team_id=${team.id}`)).toEqual([
        [{ key_id: inTeam.id, key_name: 'search-ci' }, 2],
      ]);
      expect(await groups(`group_by=team&key_id=${alone.id}`)).toEqual([
        [{ team_id: null, team_name: null }, 2],
      ]);
      expect(await groups('group_by=key&model=openai/gpt-4o')).toEqual([
        [{ key_id: alone.id, key_name: 'solo' }, 1],
      ]);
      expect(await groups('group_by=provider,model&provider=openai')).toEqual([
        [{ provider: 'openai', model: 'openai/gpt-4o' }, 1],
        [{ provider: 'openai', model: 'openai/gpt-4o-mini' }, 3],
      ]);
      expect(await groups('group_by=day&key_id=key_nobody')).toEqual([]);
      for (const [query, param] of [
        ['group_by=key,colour', 'group_by'],
        ['group_by=', 'group_by'],
        ['group_by=key&limit=0', 'limit'],
        ['team=x', 'team'],
      ]) {
        const res = await call('GET', `/admin/usage/summary?${query}`);
        expect([query, res.status, res.body.error?.param]).toEqual([query, 400, param]);
      }
    });

    it('exports the log as CSV with Accept: text/csv: the entry fields, RFC 4180, formula-safe', async () => {
      const res = await api(gw).get(`/admin/usage/log?from=${encodeURIComponent(from)}`, {
        accept: 'text/csv',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('x-total-count')).toBe('5');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
      const text = await res.text();
      expect(text.endsWith('\r\n')).toBe(true);
      const [header, ...rows] = parseCsv(text);
      const json = await entries();
      // Every entry field, the interface's in the interface's order.
      expect([...header].sort()).toEqual(Object.keys(json[0]).sort());
      expect(header.filter((f) => CONTRACT_FIELDS.includes(f))).toEqual(CONTRACT_FIELDS);
      expect(rows).toHaveLength(json.length);
      rows.forEach((row, i) => {
        header.forEach((field, j) => {
          const value = json[i][field];
          const cell = row[j];
          if (value === null) expect([field, cell]).toEqual([field, '']);
          else if (typeof value === 'number') expect(Number(cell)).toBeCloseTo(value, 9);
          else if (typeof value === 'boolean')
            expect([field, cell]).toEqual([field, String(value)]);
          else if (/^[=+\-@\t\r]/.test(value)) expect([field, cell]).toEqual([field, `'${value}`]);
          else expect([field, cell]).toEqual([field, value]);
        });
      });
      // The made-up model and user come back whole, as text a spreadsheet will not run.
      const cells = rows.flat();
      expect(cells).toContain(`'${WEIRD_MODEL}`);
      expect(cells).toContain(`'${FORMULA_USER}`);
      expect(cells.some((c) => /^[=+\-@]/.test(c))).toBe(false);
    });

    it('pages and filters the CSV export like the JSON log; JSON otherwise', async () => {
      const csv = async (query: string, accept = 'text/csv') => {
        const res = await api(gw).get(
          `/admin/usage/log?from=${encodeURIComponent(from)}&${query}`,
          {
            accept,
          },
        );
        return { res, rows: parseCsv(await res.text()) };
      };
      const json = await entries();
      const { res: paged, rows } = await csv('limit=2&offset=1');
      expect(paged.headers.get('x-total-count')).toBe('5');
      expect(rows.slice(1).map((r) => r[0])).toEqual(json.slice(1, 3).map((e) => e.id));
      const byKey = await csv(`key_id=${inTeam.id}`);
      expect(byKey.rows.slice(1).map((r) => r[0])).toEqual(
        json.filter((e) => e.key_id === inTeam.id).map((e) => e.id),
      );
      const none = await csv('key_id=key_nobody');
      expect(none.res.headers.get('x-total-count')).toBe('0');
      expect(none.rows).toHaveLength(1); // the header alone
      // Refused with q=0, or not asked for: JSON.
      const refused = await api(gw).get(`/admin/usage/log?limit=1`, {
        accept: 'text/csv;q=0, application/json',
      });
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      // A bad parameter is the usual JSON envelope, CSV asked for or not.
      const bad = await api(gw).get('/admin/usage/log?limit=0', { accept: 'text/csv' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('limit');
    });

    it('exports more than one page of the database without limit, newest first, none twice', async () => {
      const repo = gw.app.get(UsageRepository);
      const t0 = Date.parse('2020-03-01T00:00:00Z');
      // 2 500 rows, many sharing a millisecond, so pages must break ties by id.
      await repo.insertMany(
        Array.from({ length: 2_500 }, (_, i) =>
          usageRecord({ keyId: 'key_csv_bulk', createdAt: t0 + Math.floor(i / 7) }),
        ),
      );
      const res = await api(gw).get('/admin/usage/log?key_id=key_csv_bulk', { accept: 'text/csv' });
      expect(res.headers.get('x-total-count')).toBe('2500');
      const ids = parseCsv(await res.text())
        .slice(1)
        .map((r) => r[0]);
      const json: string[] = [];
      for (let offset = 0; offset < 2_500; offset += 1_000) {
        const page = await call(
          'GET',
          `/admin/usage/log?key_id=key_csv_bulk&limit=1000&offset=${offset}`,
        );
        json.push(...page.body.data.map((e: { id: string }) => e.id));
      }
      expect(ids).toHaveLength(2_500);
      expect(new Set(ids).size).toBe(2_500);
      expect(ids).toEqual(json);
      const from1000 = await api(gw).get('/admin/usage/log?key_id=key_csv_bulk&offset=1000', {
        accept: 'text/csv',
      });
      expect(
        parseCsv(await from1000.text())
          .slice(1)
          .map((r) => r[0]),
      ).toEqual(json.slice(1_000));
    });
  });

  describe('usage lookups by request and trace', () => {
    let key: { id: string; key: string };

    beforeAll(async () => {
      key = (await call('POST', '/admin/keys', { name: 'lookups' })).body;
    });

    it('finds a request by its x-request-id and the requests of a trace by their trace id', async () => {
      const trace = '0af7651916cd43dd8448eb211c80319c';
      const send = async (headers: Record<string, string>) => {
        const res = await fetch(`${gw.url}/v1/chat/completions`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${key.key}`,
            'content-type': 'application/json',
            ...headers,
          },
          body: JSON.stringify({
            model: 'openai/gpt-4o-mini',
            messages: [{ role: 'user', content: 'hi' }],
          }),
        });
        expect(res.status).toBe(200);
        return res.headers.get('x-request-id')!;
      };
      const traced = [
        await send({ traceparent: `00-${trace}-b7ad6b7169203331-01` }),
        await send({ traceparent: `00-${trace}-00f067aa0ba902b7-01` }),
      ];
      const mine = await send({ 'x-request-id': 'lookup-me-1' });
      expect(mine).toBe('lookup-me-1');

      const byRequest = await call('GET', '/admin/usage/log?request_id=lookup-me-1');
      expect(byRequest.status).toBe(200);
      expect(byRequest.body.total).toBe(1);
      expect(byRequest.body.data[0]).toMatchObject({ request_id: 'lookup-me-1', key_id: key.id });
      const byTrace = await call('GET', `/admin/usage/log?trace_id=${trace}`);
      expect(byTrace.body.total).toBe(2);
      expect(byTrace.body.data.map((e: { request_id: string }) => e.request_id).sort()).toEqual(
        [...traced].sort(),
      );
      const summary = await call('GET', `/admin/usage/summary?trace_id=${trace}&group_by=key`);
      expect(summary.body.data).toEqual([
        expect.objectContaining({ group: { key_id: key.id, key_name: 'lookups' }, requests: 2 }),
      ]);
      const unknown = await call('GET', '/admin/usage/log?request_id=no-such-request');
      expect(unknown.body).toEqual({ data: [], total: 0 });
      for (const bad of ['0AF7651916CD43DD8448EB211C80319C', 'abc', `${trace}0`]) {
        const res = await call('GET', `/admin/usage/log?trace_id=${bad}`);
        expect([bad, res.status, res.body.error?.param]).toEqual([bad, 400, 'trace_id']);
      }
    });
  });
}

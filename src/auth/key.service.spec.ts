import pino from 'pino';
import type { ApiKeyRecord, KeyRepository, KeyRotation } from './key.repository.js';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { DEFAULT_KEY_CACHE, hashKey, isManagedKey, KeyService } from './key.service.js';
import type { RedisService } from '../redis/redis.service.js';

class FakeKeys {
  readonly byId = new Map<string, ApiKeyRecord>();
  lookups = 0;
  /** Resolves pending lookups when called; lets a test hold a query in flight. */
  gate?: Promise<void>;

  async insert(k: ApiKeyRecord): Promise<void> {
    this.byId.set(k.id, structuredClone(k));
  }
  /** While set, every query fails as an unreachable database does. */
  down = false;

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    this.lookups++;
    if (this.down) throw unavailable();
    const found = [...this.byId.values()].find(
      (k) => k.keyHash === hash || k.previousKeyHash === hash,
    );
    const snapshot = found && structuredClone(found);
    await this.gate;
    return snapshot;
  }
  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    return this.byId.get(id);
  }
  async list(limit: number, offset: number): Promise<{ keys: ApiKeyRecord[]; total: number }> {
    const all = [...this.byId.values()];
    return { keys: all.slice(offset, offset + limit), total: all.length };
  }
  async rotate(id: string, r: KeyRotation, now: number): Promise<ApiKeyRecord | undefined> {
    const k = this.byId.get(id);
    if (!k || k.revokedAt !== null || (k.expiresAt !== null && k.expiresAt <= now)) return;
    Object.assign(k, {
      previousKeyHash: k.keyHash,
      previousExpiresAt: r.previousExpiresAt,
      keyHash: r.keyHash,
      keyPrefix: r.keyPrefix,
    });
    return structuredClone(k);
  }
  async revoke(id: string, at: number): Promise<ApiKeyRecord | undefined> {
    const k = this.byId.get(id);
    if (k && k.revokedAt === null) k.revokedAt = at;
    return k;
  }
}

function unavailable(): GatewayError {
  return new GatewayError(ErrorCode.ServiceUnavailable, 'database unavailable', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    }),
  });
}

class FakeRedis {
  readonly published: Array<[string, string]> = [];
  handlers = new Map<string, (m: string) => void>();
  reconnect?: () => void;
  subscribe(channel: string, h: (m: string) => void): void {
    this.handlers.set(channel, h);
  }
  onReconnect(h: () => void): void {
    this.reconnect = h;
  }
  async publish(channel: string, message: string): Promise<boolean> {
    this.published.push([channel, message]);
    return true;
  }
}

describe('KeyService', () => {
  const clock = { t: Date.parse('2026-11-01T00:00:00Z'), now: () => clock.t };
  let seq = 0;
  const ids = { next: (p: string) => `${p}_${++seq}` };
  let repo: FakeKeys;
  let keys: KeyService;
  const make = (redis?: FakeRedis): KeyService =>
    new KeyService(
      repo as unknown as KeyRepository,
      clock,
      ids,
      pino({ level: 'silent' }),
      { ttlMs: 5_000, maxEntries: 3 },
      redis as unknown as RedisService,
    );

  beforeEach(() => {
    repo = new FakeKeys();
    keys = make();
  });

  it('creates tg- keys of 32 random bytes, keeping only the hash and a display prefix', async () => {
    const created = await keys.create({ name: 'ci', models: ['openai/*'] });
    expect(created.key).toMatch(/^tg-[A-Za-z0-9_-]{43}$/);
    expect(isManagedKey(created.key)).toBe(true);
    expect(created.key_prefix).toBe(created.key.slice(0, 11));
    const stored = repo.byId.get(created.id)!;
    expect(stored.keyHash).toBe(hashKey(created.key));
    expect(JSON.stringify(stored)).not.toContain(created.key);
    expect(JSON.stringify(await keys.list(10, 0))).not.toContain(stored.keyHash);
    expect(created).toMatchObject({ status: 'active', models: ['openai/*'], budget_usd: null });
  });

  it('stores budgets as integer nano-dollars, defaulting the period to total', async () => {
    const created = await keys.create({ name: 'b', budget_usd: 12.345678901 });
    expect(repo.byId.get(created.id)!.budgetNanos).toBe(12_345_678_901n);
    expect(created).toMatchObject({ budget_usd: 12.345678901, budget_period: 'total' });
  });

  it('rotates: a new secret shown once, the same key, the old secret found until its deadline', async () => {
    const redis = new FakeRedis();
    keys = make(redis);
    const created = await keys.create({ name: 'r', rpm: 9 });
    expect((await keys.findByHash(hashKey(created.key)))?.id).toBe(created.id);
    clock.t += 10;
    const rotated = await keys.rotate(created.id, 30);
    expect(rotated.key).toMatch(/^tg-[A-Za-z0-9_-]{43}$/);
    expect(rotated.key).not.toBe(created.key);
    expect(rotated).toMatchObject({
      id: created.id,
      name: 'r',
      rpm: 9,
      key_prefix: rotated.key.slice(0, 11),
      previous_key_expires_at: new Date(clock.t + 30_000).toISOString(),
    });
    // The cached entry of the old secret was evicted here, and on the others through Redis.
    expect(redis.published).toContainEqual(['tollgate:keys:changed', created.id]);
    const old = await keys.findByHash(hashKey(created.key));
    expect(old).toMatchObject({ id: created.id, previousExpiresAt: clock.t + 30_000 });
    expect((await keys.findByHash(hashKey(rotated.key)))?.id).toBe(created.id);
    clock.t += 30_000;
    expect(await keys.get(created.id)).toMatchObject({ previous_key_expires_at: null });
  });

  it('refuses to rotate an unknown (404), revoked or expired (409) key', async () => {
    await expect(keys.rotate('key_none', 0)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
      wireCode: 'key_not_found',
    });
    const revoked = await keys.create({ name: 'gone' });
    await keys.revoke(revoked.id);
    await expect(keys.rotate(revoked.id, 0)).rejects.toMatchObject({
      status: 409,
      wireCode: 'key_revoked',
    });
    const expiring = await keys.create({
      name: 'old',
      expires_at: new Date(clock.t + 1_000).toISOString(),
    });
    clock.t += 1_000;
    await expect(keys.rotate(expiring.id, 0)).rejects.toMatchObject({
      status: 409,
      wireCode: 'key_expired',
    });
  });

  it('refuses an expiry in the past and a budget period without a budget', async () => {
    await expect(
      keys.create({ name: 'x', expires_at: '2020-01-01T00:00:00Z' }),
    ).rejects.toMatchObject({ param: 'expires_at' });
    await expect(keys.create({ name: 'x', budget_period: 'monthly' })).rejects.toMatchObject({
      param: 'budget_period',
    });
  });

  it('answers repeated lookups from the cache, misses too, until the TTL passes', async () => {
    const { key } = await keys.create({ name: 'a' });
    const hash = hashKey(key);
    await keys.findByHash(hash);
    await keys.findByHash(hash);
    await keys.findByHash(hashKey('tg-unknown'));
    await keys.findByHash(hashKey('tg-unknown'));
    expect(repo.lookups).toBe(2);
    clock.t += 5_000;
    await keys.findByHash(hash);
    expect(repo.lookups).toBe(3);
  });

  it('shares one query among concurrent lookups of the same key', async () => {
    const { key } = await keys.create({ name: 'a' });
    const found = await Promise.all(
      Array.from({ length: 20 }, () => keys.findByHash(hashKey(key))),
    );
    expect(found.every((k) => k?.name === 'a')).toBe(true);
    expect(repo.lookups).toBe(1);
  });

  it('keeps at most maxEntries found keys, dropping the least recently fetched', async () => {
    const hashes: string[] = [];
    for (let i = 0; i < 5; i++) hashes.push(hashKey((await keys.create({ name: `k${i}` })).key));
    for (const h of hashes) await keys.findByHash(h);
    repo.lookups = 0;
    await keys.findByHash(hashes[4]);
    await keys.findByHash(hashes[0]);
    expect(repo.lookups).toBe(1);
  });

  it('remembers unknown tokens apart: a flood of them never pushes a found key out', async () => {
    const { key } = await keys.create({ name: 'a' });
    await keys.findByHash(hashKey(key));
    for (let i = 0; i < 50; i++) expect(await keys.findByHash(`unknown-${i}`)).toBeNull();
    repo.lookups = 0;
    expect((await keys.findByHash(hashKey(key)))?.name).toBe('a');
    expect(await keys.findByHash('unknown-49')).toBeNull();
    expect(repo.lookups).toBe(0);
  });

  it('takes an unknown token as unknown for a short while only', async () => {
    expect(await keys.findByHash('unknown')).toBeNull();
    expect(await keys.findByHash('unknown')).toBeNull();
    expect(repo.lookups).toBe(1);
    clock.t += DEFAULT_KEY_CACHE.negativeTtlMs;
    await keys.findByHash('unknown');
    expect(repo.lookups).toBe(2);
  });

  it('a key created here is found at once, even if its token was looked up meanwhile', async () => {
    // A lookup of the token racing with its creation (between insert and response).
    const insert = repo.insert.bind(repo);
    repo.insert = async (k) => {
      expect(await keys.findByHash(k.keyHash)).toBeNull();
      await insert(k);
    };
    const { key } = await keys.create({ name: 'a' });
    expect((await keys.findByHash(hashKey(key)))?.name).toBe('a');
  });

  it('sees a revocation on this replica at once, on others within the TTL', async () => {
    const { key, id } = await keys.create({ name: 'a' });
    const other = make();
    expect((await other.findByHash(hashKey(key)))?.revokedAt).toBeNull();
    await keys.revoke(id);
    const revokedAt = clock.t;
    expect((await keys.findByHash(hashKey(key)))?.revokedAt).toBe(revokedAt);
    expect((await other.findByHash(hashKey(key)))?.revokedAt).toBeNull();
    clock.t += 5_000;
    expect((await other.findByHash(hashKey(key)))?.revokedAt).toBe(revokedAt);
  });

  it('with Redis, publishes revocations and evicts on every message', async () => {
    const redis = new FakeRedis();
    keys = make(redis);
    keys.onModuleInit();
    const { key, id } = await keys.create({ name: 'a' });
    await keys.findByHash(hashKey(key));
    await keys.revoke(id);
    expect(redis.published).toEqual([['tollgate:keys:revoked', id]]);

    // Another replica's message evicts here too.
    const other = make(redis);
    other.onModuleInit();
    repo.byId.get(id)!.revokedAt = null;
    await other.findByHash(hashKey(key));
    repo.byId.get(id)!.revokedAt = clock.t;
    redis.handlers.get('tollgate:keys:revoked')!(id);
    expect((await other.findByHash(hashKey(key)))?.revokedAt).toBe(clock.t);
  });

  it('checks every cached key again after a Redis reconnect (messages may have been missed)', async () => {
    const redis = new FakeRedis();
    keys = make(redis);
    keys.onModuleInit();
    const { key } = await keys.create({ name: 'a' });
    await keys.findByHash(hashKey(key));
    await keys.findByHash(hashKey(key));
    expect(repo.lookups).toBe(1);
    redis.reconnect!();
    await keys.findByHash(hashKey(key));
    expect(repo.lookups).toBe(2);
  });

  it('does not cache an answer read before an eviction that happened meanwhile', async () => {
    const { key, id } = await keys.create({ name: 'a' });
    let release!: () => void;
    repo.gate = new Promise<void>((resolve) => (release = resolve));
    const stale = keys.findByHash(hashKey(key));
    await keys.revoke(id); // evicts while the first lookup is still in flight
    release();
    expect((await stale)?.revokedAt).toBeNull();
    repo.gate = undefined;
    expect((await keys.findByHash(hashKey(key)))?.revokedAt).toBe(clock.t);
  });

  it('answers 404 for revoking an unknown id, and revoking twice keeps the first time', async () => {
    await expect(keys.revoke('key_nope')).rejects.toMatchObject({ wireCode: 'key_not_found' });
    const { id } = await keys.create({ name: 'a' });
    const first = await keys.revoke(id);
    clock.t += 1_000;
    expect((await keys.revoke(id)).revoked_at).toBe(first.revoked_at);
  });

  describe('while the database is unreachable', () => {
    it('keeps serving keys seen before past their TTL, and refuses unknown ones with 503', async () => {
      const { key } = await keys.create({ name: 'a' });
      await keys.findByHash(hashKey(key));
      repo.down = true;
      clock.t += 60_000;
      expect((await keys.findByHash(hashKey(key)))?.name).toBe('a');
      await expect(keys.findByHash(hashKey('tg-never-seen'))).rejects.toMatchObject({
        code: ErrorCode.ServiceUnavailable,
      });
    });

    it('does not ask the database again for a second after a failed lookup', async () => {
      const { key } = await keys.create({ name: 'a' });
      await keys.findByHash(hashKey(key));
      repo.down = true;
      clock.t += 60_000;
      repo.lookups = 0;
      for (let i = 0; i < 10; i++) await keys.findByHash(hashKey(key));
      await expect(keys.findByHash('other')).rejects.toMatchObject({
        code: ErrorCode.ServiceUnavailable,
      });
      expect(repo.lookups).toBe(1);
      clock.t += 1_000;
      repo.down = false;
      await keys.findByHash(hashKey(key));
      expect(repo.lookups).toBe(2);
    });

    it('still honours a revocation announced through Redis', async () => {
      const redis = new FakeRedis();
      keys = make(redis);
      keys.onModuleInit();
      const { key, id } = await keys.create({ name: 'a' });
      await keys.findByHash(hashKey(key));
      repo.down = true;
      clock.t += 60_000;
      redis.handlers.get('tollgate:keys:revoked')!(id);
      await expect(keys.findByHash(hashKey(key))).rejects.toMatchObject({
        code: ErrorCode.ServiceUnavailable,
      });
    });

    it('keeps keys as a fallback across a Redis reconnect', async () => {
      const redis = new FakeRedis();
      keys = make(redis);
      keys.onModuleInit();
      const { key } = await keys.create({ name: 'a' });
      await keys.findByHash(hashKey(key));
      repo.down = true;
      redis.reconnect!();
      expect((await keys.findByHash(hashKey(key)))?.name).toBe('a');
      expect(repo.lookups).toBe(2);
    });

    it('answers key creation, listing and revocation with 503', async () => {
      const { id } = await keys.create({ name: 'a' });
      const fail = async () => {
        throw unavailable();
      };
      repo.insert = fail;
      repo.list = fail;
      repo.revoke = fail;
      for (const call of [
        () => keys.create({ name: 'b' }),
        () => keys.list(10, 0),
        () => keys.revoke(id),
      ]) {
        await expect(call()).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });
      }
    });
  });
});

describe('isManagedKey', () => {
  it('accepts exactly the tokens create() can make: tg- and 32 bytes in canonical base64url', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) =>
        isManagedKey(`tg-${Buffer.from(bytes).toString('base64url')}`),
      ),
    );
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.~ ';
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...alphabet), minLength: 40, maxLength: 46 }),
        (body) => {
          const canonical =
            body.length === 43 &&
            /^[A-Za-z0-9_-]+$/.test(body) &&
            Buffer.from(body, 'base64url').toString('base64url') === body;
          expect(isManagedKey(`tg-${body}`)).toBe(canonical);
        },
      ),
    );
  });

  it('refuses a token ending in a character no 32-byte key ends with', () => {
    const real = randomBytes(32).toString('base64url');
    const altered = `tg-${real.slice(0, 42)}${real.at(-1) === 'B' ? 'C' : 'B'}`;
    expect(isManagedKey(`tg-${real}`)).toBe(true);
    expect(isManagedKey(altered)).toBe(false);
  });
});

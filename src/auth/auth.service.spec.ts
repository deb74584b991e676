import type { TollgateConfig } from '../config/config.js';
import { AuthService } from './auth.service.js';
import type { ApiKeyRecord } from './key.repository.js';
import { hashKey, type KeyService } from './key.service.js';
import type { TeamService } from './team.service.js';

const MASTER = 'tg-master-key-for-tests-000';
const KEY = `tg-${'A'.repeat(43)}`;

describe('AuthService.authenticate', () => {
  const clock = { t: Date.parse('2026-11-01T00:00:00Z'), now: () => clock.t };
  let stored: ApiKeyRecord | null;
  const lookups: string[] = [];
  const keys = {
    findByHash: async (hash: string) => {
      lookups.push(hash);
      return stored;
    },
  } as unknown as KeyService;
  const auth = new AuthService(
    { auth: { mode: 'master', masterKey: MASTER, generated: false } } as TollgateConfig,
    keys,
    {} as TeamService,
    clock,
  );

  beforeEach(() => {
    lookups.length = 0;
    stored = {
      id: 'key_1',
      name: 'ci',
      keyHash: hashKey(KEY),
      keyPrefix: KEY.slice(0, 11),
      createdAt: clock.t,
      expiresAt: null,
      revokedAt: null,
      models: ['openai/*'],
      rpm: null,
      tpm: null,
      budgetNanos: null,
      budgetPeriod: null,
      metadata: null,
      teamId: null,
      maxParallel: null,
      previousKeyHash: null,
      previousExpiresAt: null,
    };
  });

  it('knows the master key without a lookup', async () => {
    expect(await auth.authenticate(MASTER)).toEqual({ kind: 'master', keyId: null });
    expect(lookups).toEqual([]);
  });

  it('finds a managed key by the SHA-256 of the token', async () => {
    expect(await auth.authenticate(KEY)).toEqual({
      kind: 'key',
      keyId: 'key_1',
      keyName: 'ci',
      models: ['openai/*'],
    });
    expect(lookups).toEqual([hashKey(KEY)]);
  });

  it('never looks up tokens that cannot be managed keys', async () => {
    expect(await auth.authenticate('sk-something-else')).toBeNull();
    expect(await auth.authenticate(`${KEY}x`)).toBeNull();
    expect(lookups).toEqual([]);
  });

  it('refuses an unknown key', async () => {
    stored = null;
    expect(await auth.authenticate(KEY)).toBeNull();
  });

  it('refuses a revoked key with its own code', async () => {
    stored!.revokedAt = clock.t - 1;
    await expect(auth.authenticate(KEY)).rejects.toMatchObject({ wireCode: 'api_key_revoked' });
  });

  it('refuses a key from the moment it expires', async () => {
    stored!.expiresAt = clock.t + 1_000;
    expect(await auth.authenticate(KEY)).toMatchObject({ kind: 'key', keyId: 'key_1' });
    clock.t += 1_000;
    await expect(auth.authenticate(KEY)).rejects.toMatchObject({ wireCode: 'api_key_expired' });
  });

  it('accepts the secret a rotation replaced until its grace period ends, on any clock reading', async () => {
    const NEW = `tg-${'B'.repeat(42)}A`;
    stored = {
      ...stored!,
      keyHash: hashKey(NEW),
      previousKeyHash: hashKey(KEY),
      previousExpiresAt: clock.t + 1_000,
    };
    expect(await auth.authenticate(KEY)).toMatchObject({ kind: 'key', keyId: 'key_1' });
    expect(await auth.authenticate(NEW)).toMatchObject({ kind: 'key', keyId: 'key_1' });
    clock.t += 1_000;
    await expect(auth.authenticate(KEY)).rejects.toMatchObject({
      wireCode: 'api_key_rotated',
      message: 'This API key has been rotated; use the new key.',
    });
    expect(await auth.authenticate(NEW)).toMatchObject({ kind: 'key', keyId: 'key_1' });
  });

  it('refuses a replaced secret of a revoked key as revoked, grace or not', async () => {
    stored = {
      ...stored!,
      keyHash: hashKey(`tg-${'B'.repeat(42)}A`),
      previousKeyHash: hashKey(KEY),
      previousExpiresAt: clock.t + 60_000,
      revokedAt: clock.t - 1,
    };
    await expect(auth.authenticate(KEY)).rejects.toMatchObject({ wireCode: 'api_key_revoked' });
  });
});

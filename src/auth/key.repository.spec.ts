import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { describeEachDatabase } from '../../test/support/databases.js';
import { KeyRepository, type ApiKeyRecord } from './key.repository.js';

const key = (o: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id: 'key_1',
  name: 'ci',
  keyHash: 'a'.repeat(64),
  keyPrefix: 'tg-abcdefgh',
  createdAt: Date.parse('2026-11-01T00:00:00Z'),
  expiresAt: null,
  revokedAt: null,
  models: null,
  rpm: null,
  tpm: null,
  budgetNanos: null,
  budgetPeriod: null,
  metadata: null,
  teamId: null,
  maxParallel: null,
  ...o,
});

describeEachDatabase('KeyRepository', (database) => {
  let repo: KeyRepository;
  beforeAll(() => {
    repo = new KeyRepository(database());
  });
  beforeEach(async () => {
    await database().db.deleteFrom('api_keys').execute();
  });

  it('stores a key with every setting and finds it by hash and id', async () => {
    const k = key({
      expiresAt: Date.parse('2027-01-01T00:00:00Z'),
      models: ['openai/*', 'claude-sonnet-4-5'],
      rpm: 60,
      tpm: 100_000,
      budgetNanos: 9_000_000_000_000_000n,
      budgetPeriod: 'monthly',
      metadata: { team: 'search', env: 'prod' },
    });
    await repo.insert(k);
    expect(await repo.findByHash(k.keyHash)).toEqual(k);
    expect(await repo.findById('key_1')).toEqual(k);
    expect(await repo.findByHash('b'.repeat(64))).toBeUndefined();
  });

  it('refuses a second key with the same hash, as our own error (never an upstream one)', async () => {
    await repo.insert(key());
    const err = (await repo.insert(key({ id: 'key_2' })).catch((e: unknown) => e)) as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe(ErrorCode.Internal);
    // The driver's error stays as the cause, for the log.
    expect((err.cause as Error).message).toMatch(/unique|duplicate/i);
  });

  it('lists newest first and revokes once', async () => {
    await repo.insert(key({ id: 'key_1', keyHash: '1'.repeat(64), createdAt: 1_000 }));
    await repo.insert(key({ id: 'key_2', keyHash: '2'.repeat(64), createdAt: 2_000 }));
    expect((await repo.list()).map((k) => k.id)).toEqual(['key_2', 'key_1']);
    expect((await repo.revoke('key_1', 5_000))?.revokedAt).toBe(5_000);
    expect((await repo.revoke('key_1', 9_000))?.revokedAt).toBe(5_000);
    expect(await repo.revoke('key_none', 9_000)).toBeUndefined();
  });
});

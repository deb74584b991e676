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
  previousKeyHash: null,
  previousExpiresAt: null,
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

  it('lists newest first, a page at a time with the total, and revokes once', async () => {
    await repo.insert(key({ id: 'key_1', keyHash: '1'.repeat(64), createdAt: 1_000 }));
    await repo.insert(key({ id: 'key_2', keyHash: '2'.repeat(64), createdAt: 2_000 }));
    await repo.insert(key({ id: 'key_3', keyHash: '3'.repeat(64), createdAt: 2_000 }));
    const page = async (limit: number, offset: number) => {
      const { keys, total } = await repo.list(limit, offset);
      return { ids: keys.map((k) => k.id), total };
    };
    expect(await page(10, 0)).toEqual({ ids: ['key_3', 'key_2', 'key_1'], total: 3 });
    expect(await page(1, 1)).toEqual({ ids: ['key_2'], total: 3 });
    expect(await page(5, 3)).toEqual({ ids: [], total: 3 });
    expect((await repo.revoke('key_1', 5_000))?.revokedAt).toBe(5_000);
    expect((await repo.revoke('key_1', 9_000))?.revokedAt).toBe(5_000);
    expect(await repo.revoke('key_none', 9_000)).toBeUndefined();
  });

  it('rotates in one statement: the replaced hash stays findable with its deadline', async () => {
    await repo.insert(key({ rpm: 7, teamId: null }));
    const rotated = await repo.rotate(
      'key_1',
      { keyHash: 'b'.repeat(64), keyPrefix: 'tg-bbbbbbbb', previousExpiresAt: 9_000 },
      5_000,
    );
    expect(rotated).toEqual(
      key({
        rpm: 7,
        keyHash: 'b'.repeat(64),
        keyPrefix: 'tg-bbbbbbbb',
        previousKeyHash: 'a'.repeat(64),
        previousExpiresAt: 9_000,
      }),
    );
    expect((await repo.findByHash('a'.repeat(64)))?.id).toBe('key_1');
    expect((await repo.findByHash('b'.repeat(64)))?.id).toBe('key_1');

    // Rotating again replaces the previous secret: the first one is not found any more.
    await repo.rotate(
      'key_1',
      { keyHash: 'c'.repeat(64), keyPrefix: 'tg-cccccccc', previousExpiresAt: 12_000 },
      6_000,
    );
    expect(await repo.findByHash('a'.repeat(64))).toBeUndefined();
    expect(await repo.findByHash('b'.repeat(64))).toMatchObject({ previousExpiresAt: 12_000 });
  });

  it('rotates only active keys', async () => {
    const rotation = { keyHash: 'f'.repeat(64), keyPrefix: 'tg-ffffffff', previousExpiresAt: 1 };
    await repo.insert(key({ id: 'key_revoked', keyHash: '1'.repeat(64), revokedAt: 10 }));
    await repo.insert(key({ id: 'key_expired', keyHash: '2'.repeat(64), expiresAt: 4_000 }));
    expect(await repo.rotate('key_revoked', rotation, 5_000)).toBeUndefined();
    expect(await repo.rotate('key_expired', rotation, 5_000)).toBeUndefined();
    expect(await repo.rotate('key_none', rotation, 5_000)).toBeUndefined();
    expect(await repo.findByHash('f'.repeat(64))).toBeUndefined();
  });

  it('two rotations at once lose no secret: the later keeps the earlier one as the previous', async () => {
    await repo.insert(key());
    const hashes = ['d'.repeat(64), 'e'.repeat(64)];
    await Promise.all(
      hashes.map((h) =>
        repo.rotate('key_1', { keyHash: h, keyPrefix: 'tg-x', previousExpiresAt: 9_000 }, 1),
      ),
    );
    const now = (await repo.findById('key_1'))!;
    expect([now.keyHash, now.previousKeyHash].sort()).toEqual(hashes);
  });
});

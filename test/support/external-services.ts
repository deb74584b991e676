import { randomBytes } from 'node:crypto';

/**
 * Tests that need a real PostgreSQL or Redis. With the variable unset they are skipped
 * with a visible line, except under CI=true, where they fail: CI must not go green
 * without them. With the variable set, an unreachable service fails them too.
 */
const SERVICES = {
  postgres: {
    env: 'TEST_DATABASE_URL',
    label: 'PostgreSQL',
    example: 'postgres://postgres@127.0.0.1:5432/test',
  },
  redis: { env: 'TEST_REDIS_URL', label: 'Redis', example: 'redis://127.0.0.1:6379' },
} as const;

export type ExternalService = keyof typeof SERVICES;

export function describeWith(
  service: ExternalService,
  title: string,
  body: (url: string) => void,
): void {
  const { env, label, example } = SERVICES[service];
  const url = process.env[env]?.trim();
  if (!url) {
    if (process.env.CI === 'true') {
      describe(title, () => {
        it(`needs ${label}: ${env} must be set when CI=true`, () => {
          throw new Error(
            `${env} is not set; CI requires the ${label} tests to run (e.g. ${example})`,
          );
        });
      });
      return;
    }
    process.stderr.write(`[skipped] ${title}: ${env} is not set (e.g. ${env}=${example})\n`);
    describe.skip(title, () => body(''));
    return;
  }
  describe(title, () => {
    beforeAll(async () => {
      try {
        await reachable(service, url);
      } catch (err) {
        throw new Error(`${label} at ${env} is unreachable: ${(err as Error).message}`, {
          cause: err,
        });
      }
    });
    body(url);
  });
}

async function reachable(service: ExternalService, url: string): Promise<void> {
  if (service === 'postgres') {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
    await client.connect();
    try {
      await client.query('select 1');
    } finally {
      await client.end();
    }
  } else {
    const { Redis } = await import('ioredis');
    const client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: 3_000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  }
}

export interface TestSchema {
  /** The database URL with `search_path` set to the schema, for everything under test. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

/**
 * A fresh PostgreSQL schema for one test file, so parallel runs against the shared
 * server never see each other's tables. Drop it in afterAll.
 */
export async function createTestSchema(baseUrl: string): Promise<TestSchema> {
  const { default: pg } = await import('pg');
  const schema = `tg_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await c.end();
      }
    },
  };
}

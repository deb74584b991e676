import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config.js';

const root = join(import.meta.dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

/** Resolves compose's ${VAR:-default} / ${VAR:?msg} against a given environment. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?::([-?])([^}]*))?\}/g,
    (_m, name: string, op?: string, arg?: string) => {
      if (env[name] !== undefined) return env[name];
      if (op === '-') return arg ?? '';
      throw new Error(`compose requires ${name}: ${arg}`);
    },
  );
}

describe('docker-compose.yml', () => {
  const services = compose.services;

  it('runs the gateway with PostgreSQL and Redis, each with a healthcheck', () => {
    expect(Object.keys(services).sort()).toEqual(['postgres', 'redis', 'tollgate']);
    for (const s of Object.values<any>(services))
      expect(s.healthcheck.test.length).toBeGreaterThan(1);
    expect(services.tollgate.ports).toEqual(['8080:8080']);
    expect(services.tollgate.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
  });

  it('wires the gateway to the database and cache it starts, with matching credentials', () => {
    const env = services.tollgate.environment;
    const pg = services.postgres.environment;
    const db = new URL(env.DATABASE_URL);
    expect(db.protocol).toBe('postgres:');
    expect(db.hostname).toBe('postgres');
    expect([db.username, db.password, db.pathname.slice(1)]).toEqual([
      pg.POSTGRES_USER,
      pg.POSTGRES_PASSWORD,
      pg.POSTGRES_DB,
    ]);
    expect(new URL(env.REDIS_URL).hostname).toBe('redis');
    expect(env.PORT).toBe('8080');
  });

  it('refuses to start without a master key, and its environment is a valid configuration', () => {
    const raw: Record<string, string> = services.tollgate.environment;
    expect(() => interpolate(raw.TOLLGATE_MASTER_KEY, {})).toThrow(/TOLLGATE_MASTER_KEY/);
    const env = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [
        k,
        interpolate(String(v), { TOLLGATE_MASTER_KEY: 'a-master-key-of-enough-length' }),
      ]),
    );
    const config = loadConfig(env);
    expect(config.databaseUrl).toBe('postgres://tollgate:tollgate@postgres:5432/tollgate');
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.port).toBe(8080);
  });
});

describe('Dockerfile', () => {
  it('is multi-stage and runs as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^COPY --from=build /m);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
    expect(dockerfile).toMatch(/^CMD \["node", .*"dist\/main\.js"\]/m);
  });
});

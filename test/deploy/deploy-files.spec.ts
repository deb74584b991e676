import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { BUILTIN_PROVIDERS } from '../../src/config/provider-types.js';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const composeText = read('docker-compose.yml');
const compose = parse(composeText);
const dockerfile = read('Dockerfile');

/** Resolves compose's ${VAR:-default} / ${VAR:?msg} against a given environment. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?::([-?])([^}]*))?\}/g,
    (_m, name: string, op?: string, arg?: string) => {
      if (env[name] !== undefined && (op !== '?' || env[name] !== '')) return env[name];
      if (op === '-') return arg ?? '';
      throw new Error(`compose requires ${name}: ${arg}`);
    },
  );
}

/** `.env.example` as compose reads `.env`: `NAME=value` lines. */
const envExample = Object.fromEntries(
  read('.env.example')
    .split('\n')
    .filter((l) => /^\w+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const secrets = {
  TOLLGATE_MASTER_KEY: 'a-master-key-of-enough-length',
  POSTGRES_PASSWORD: 'pg-secret-0123',
};

describe('docker-compose.yml', () => {
  const services = compose.services;

  it('runs the gateway with PostgreSQL and Redis, and an opt-in observability profile', () => {
    const always = Object.keys(services).filter((s) => !services[s].profiles);
    expect(always.sort()).toEqual(['postgres', 'redis', 'tollgate']);
    const observability = Object.keys(services).filter((s) =>
      services[s].profiles?.includes('observability'),
    );
    expect(observability.sort()).toEqual(['grafana', 'jaeger', 'prometheus']);
    for (const s of always) expect(services[s].healthcheck.test.length).toBeGreaterThan(1);
    expect(services.tollgate.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
  });

  it('refers only to services, volumes, configs and files that exist', () => {
    const names = Object.keys(services);
    for (const s of Object.values<any>(services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) expect(names).toContain(d);
      for (const v of s.volumes ?? []) {
        const source = interpolate(String(v), {}).split(':')[0];
        if (source.startsWith('.')) expect(existsSync(join(root, source))).toBe(true);
        else expect(Object.keys(compose.volumes)).toContain(source);
      }
      for (const c of s.configs ?? []) expect(Object.keys(compose.configs)).toContain(c.source);
    }
  });

  it('publishes every port on 127.0.0.1 unless TOLLGATE_BIND says otherwise', () => {
    const ports = Object.values<any>(services).flatMap((s) => s.ports ?? []);
    expect(ports.length).toBeGreaterThan(0);
    for (const p of ports) {
      expect(p).toMatch(/^\$\{TOLLGATE_BIND:-127\.0\.0\.1\}:\d+:\d+$/);
      expect(interpolate(p, {})).toMatch(/^127\.0\.0\.1:/);
    }
    expect(services.tollgate.ports).toEqual(['${TOLLGATE_BIND:-127.0.0.1}:8080:8080']);
  });

  it('hard-codes no password: the master key and the PostgreSQL password are required', () => {
    const env = services.tollgate.environment;
    expect(() => interpolate(env.TOLLGATE_MASTER_KEY, {})).toThrow(/TOLLGATE_MASTER_KEY/);
    expect(() => interpolate(env.DATABASE_URL, {})).toThrow(/POSTGRES_PASSWORD/);
    expect(() => interpolate(services.postgres.environment.POSTGRES_PASSWORD, {})).toThrow(
      /POSTGRES_PASSWORD/,
    );
    // Copying .env.example without filling it in is refused too.
    expect(() => interpolate(env.DATABASE_URL, envExample)).toThrow(/POSTGRES_PASSWORD/);
  });

  it('wires the gateway to the database and cache it starts, with matching credentials', () => {
    const env = services.tollgate.environment;
    const pg = services.postgres.environment;
    const db = new URL(interpolate(env.DATABASE_URL, secrets));
    expect(db.protocol).toBe('postgres:');
    expect(db.hostname).toBe('postgres');
    expect([db.username, db.password, db.pathname.slice(1)]).toEqual([
      pg.POSTGRES_USER,
      interpolate(pg.POSTGRES_PASSWORD, secrets),
      pg.POSTGRES_DB,
    ]);
    expect(new URL(env.REDIS_URL).hostname).toBe('redis');
  });

  it("passes every provider's variables through, and .env.example names them all", () => {
    const env = services.tollgate.environment;
    const expected = BUILTIN_PROVIDERS.flatMap((p) => [
      `${p.prefix}_API_KEY`,
      `${p.prefix}_BASE_URL`,
      `${p.prefix}_MODELS`,
    ]).concat('AZURE_API_VERSION');
    for (const name of expected) {
      expect(env[name]).toBe(`\${${name}:-}`);
      expect(envExample).toHaveProperty(name);
    }
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('${OTEL_EXPORTER_OTLP_ENDPOINT:-}');
    expect(env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT).toBe(
      '${OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT:-}',
    );
    // Every variable compose reads is documented in .env.example.
    const used = new Set([...composeText.matchAll(/\$\{(\w+)/g)].map((m) => m[1]));
    const documented = read('.env.example');
    for (const name of used) expect(documented).toContain(name);
  });

  it('its environment, with the example configuration mounted, is a valid configuration', () => {
    const raw: Record<string, string> = services.tollgate.environment;
    const env = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), secrets)]),
    );
    const mount = (services.tollgate.volumes as string[]).find((v) =>
      v.endsWith(`:${env.TOLLGATE_CONFIG}:ro`),
    );
    expect(mount).toBeDefined();
    const file = join(root, interpolate(mount!, {}).split(':')[0]);
    const config = loadConfig({ ...env, TOLLGATE_CONFIG: file });
    expect(config.databaseUrl).toBe('postgres://tollgate:pg-secret-0123@postgres:5432/tollgate');
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.port).toBe(8080);
    expect(Object.keys(config.aliases)).toContain('fast');
  });

  it('traces to the compose Jaeger over OTLP/HTTP with the endpoint .env.example suggests, and not without it', () => {
    const suggested = /^# OTEL_EXPORTER_OTLP_ENDPOINT=(\S+)$/m.exec(read('.env.example'))?.[1];
    expect(suggested).toBe('http://jaeger:4318');
    const configWith = (extra: Record<string, string>) => {
      const raw: Record<string, string> = services.tollgate.environment;
      const env = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), { ...secrets, ...extra })]),
      );
      return loadConfig({ ...env, TOLLGATE_CONFIG: join(root, 'deploy/tollgate.example.yaml') });
    };
    expect(configWith({ OTEL_EXPORTER_OTLP_ENDPOINT: suggested! }).telemetry.traces).toMatchObject({
      endpoint: 'http://jaeger:4318/v1/traces',
      serviceName: 'tollgate',
      captureContent: false,
    });
    expect(configWith({}).telemetry.traces).toBeUndefined();
    expect(new URL(suggested!).hostname).toBe('jaeger');
    expect(services.jaeger.environment.COLLECTOR_OTLP_ENABLED).toBe('true');
  });

  it('gives the drain its time before compose kills the container', () => {
    const drainS = Number(interpolate(services.tollgate.environment.TOLLGATE_DRAIN_TIMEOUT_MS, {}));
    expect(Number(services.tollgate.stop_grace_period.replace(/s$/, ''))).toBeGreaterThan(
      drainS / 1000,
    );
  });

  it('keeps .env out of git', () => {
    expect(() => execFileSync('git', ['check-ignore', '-q', '.env'], { cwd: root })).not.toThrow();
    expect(() =>
      execFileSync('git', ['check-ignore', '-q', '.env.example'], { cwd: root }),
    ).toThrow();
  });
});

describe('Dockerfile', () => {
  it('is multi-stage on the Node Active LTS and runs as a non-root user', () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    expect(dockerfile).toMatch(/^COPY --from=build /m);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
    expect(dockerfile).toMatch(/^CMD \["node", .*"dist\/main\.js"\]/m);
  });
});

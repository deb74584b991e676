// The processes every benchmark script runs: the built gateway with production settings
// and the stand-in upstream. Shared by run.mjs, profile.mjs and heap-soak.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const resultsDir = join(root, 'bench', 'results');
export const MASTER_KEY = 'bench-master-key-0123456789abcdef';
const CLK_TCK = 100;

mkdirSync(resultsDir, { recursive: true });

const children = [];
let shuttingDown = false;
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
process.on('SIGINT', () => process.exit(130));

/** From here on a child exiting is expected, not worth reporting. */
export function shutDown() {
  shuttingDown = true;
}

export function buildGateway() {
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'],
    { cwd: root, stdio: 'inherit' },
  );
  if (build.status !== 0) throw new Error('build failed');
}

export async function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export function startProcess(name, script, env, logFile, nodeFlags = []) {
  // The gateway logs straight into a file, as in production: piping through this process
  // would make the load generator pay for the gateway's logging.
  const log = logFile ? openSync(logFile, 'w') : 'pipe';
  const child = spawn(process.execPath, [...nodeFlags, script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!shuttingDown) console.error(`${name} exited (${code ?? signal})`);
  });
  return child;
}

export function firstLineJson(child) {
  return new Promise((res, rej) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) res(JSON.parse(buf.slice(0, nl)));
    });
    child.on('exit', () => rej(new Error('process exited before reporting its port')));
  });
}

export async function waitFor(url, child, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited (${child.exitCode})`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts bench/stand-in.mjs; resolves with its process and base URL. */
export async function startStandIn() {
  const standIn = startProcess('stand-in', 'bench/stand-in.mjs', {});
  const { port } = await firstLineJson(standIn);
  return { standIn, upstreamUrl: `http://127.0.0.1:${port}` };
}

/** Reconfigures the stand-in: { latencyMs, chunkDelayMs, chunks }. */
export function configureStandIn(upstreamUrl, cfg) {
  return fetch(`${upstreamUrl}/__config`, { method: 'POST', body: JSON.stringify(cfg) }).then((r) =>
    r.text(),
  );
}

/**
 * Starts the built gateway as production runs it: SQLite usage store, metrics on, info
 * logs to a file, one OpenAI provider pointing at the stand-in. Resolves once /health
 * answers, with a managed key created through the admin API. `env` adds to (or
 * overrides) that environment, e.g. the OTEL_* variables of a traced gateway.
 */
export async function startGateway({
  upstreamUrl,
  dbFile,
  logFile,
  nodeFlags = [],
  redisUrl,
  name = 'tollgate',
  env = {},
  entry = 'dist/main.js',
}) {
  const port = await freePort();
  // A price for the bench model, so a budgeted key reserves and settles real costs.
  const configFile = join(dirname(dbFile), `${name}.yaml`);
  writeFileSync(configFile, 'pricing:\n  openai:\n    bench-model: { input: 0.15, output: 0.6 }\n');
  const gateway = startProcess(
    name,
    entry,
    {
      HOST: '127.0.0.1',
      PORT: String(port),
      TOLLGATE_MASTER_KEY: MASTER_KEY,
      OPENAI_API_KEY: 'sk-bench',
      OPENAI_BASE_URL: `${upstreamUrl}/v1`,
      OPENAI_MODELS: 'bench-model',
      DATABASE_URL: `sqlite:${dbFile}`,
      TOLLGATE_CONFIG: configFile,
      ...(redisUrl
        ? { REDIS_URL: redisUrl, TOLLGATE_REDIS_PREFIX: `${name}-bench-${process.pid}:` }
        : {}),
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...env,
    },
    logFile,
    nodeFlags,
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/health`, gateway);
  const created = await fetch(`${base}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench' }),
  });
  if (created.status !== 201) throw new Error(`creating a managed key: HTTP ${created.status}`);
  const { key } = await created.json();
  // A key with every limit set, none of them reached by a benchmark: what admission costs.
  const limited = await fetch(`${base}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'bench-limited',
      rpm: 100_000_000,
      tpm: 2_000_000_000,
      budget_usd: 1_000_000,
      budget_period: 'total',
    }),
  });
  if (limited.status !== 201) throw new Error(`creating a limited key: HTTP ${limited.status}`);
  const { key: limitedKey } = await limited.json();
  return { gateway, base, key, limitedKey };
}

/** A chat completion request body as every benchmark sends it. */
export function chatBody(stream) {
  return JSON.stringify({
    model: 'bench-model',
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: 'Say something about foxes and dogs in one sentence.' },
    ],
    temperature: 0.2,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

/** One streamed completion, read to its end: time to first and to last byte (ms). */
export async function oneStream(target, agent, body = chatBody(true)) {
  const t0 = performance.now();
  const r = await request(target.url, {
    dispatcher: agent,
    method: 'POST',
    headers: target.headers,
    body,
  });
  let ttfb;
  let bytes = 0;
  for await (const chunk of r.body) {
    ttfb ??= performance.now() - t0;
    bytes += chunk.length;
  }
  if (r.statusCode !== 200 || bytes === 0)
    throw new Error(`${target.name}: stream HTTP ${r.statusCode}`);
  return { ttfb, ttlb: performance.now() - t0 };
}

/**
 * `concurrency` clients streaming completions back to back for `ms` against
 * `target` ({ name, url, headers }); resolves with one sample per stream. Pass an undici
 * `agent` to keep its connections across calls.
 */
export async function streamFor(target, { concurrency, ms, agent }) {
  const pool = agent ?? new Agent({ connections: concurrency, keepAliveTimeout: 60_000 });
  const body = chatBody(true);
  const samples = [];
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) samples.push(await oneStream(target, pool, body));
    }),
  );
  if (!agent) await pool.close();
  return samples;
}

export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
}

export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

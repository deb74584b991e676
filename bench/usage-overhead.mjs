// What usage accounting costs per request: N sequential non-streamed requests through the
// built gateway (dist/, `npm run build` first) against a zero-latency stand-in, with usage
// recording on and off, alternating rounds so drift hits both alike. Prints the median
// latency and the gateway's CPU per request (utime+stime from /proc) for each.
//
//   node bench/usage-overhead.mjs [--requests 3000] [--rounds 5] [--database-url URL]
//
// "off" is the same build with UsageCollector.collect replaced by a no-op before the app
// starts: no row is built, priced, buffered or written; the end-of-response hook that
// calls it remains. "on + managed key" also pays the (cached) key lookup instead of the master key.
// Numbers only: nothing here asserts a timing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { cpuSeconds, firstLineJson, MASTER_KEY, root } from './processes.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

if (opt('serve')) await serve(opt('serve'));
else await main();

/**
 * The same work measured in isolation, where it is not lost in the noise of a whole
 * request: building and pricing one row, and writing rows in the recorder's batches.
 */
async function micro(n) {
  const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;
  const { Pricing } = await import(dist('usage/pricing.js'));
  const { buildUsageRecord } = await import(dist('usage/usage-record.js'));
  const { openDatabase } = await import(dist('storage/database.js'));
  const { migrateToLatest } = await import(dist('storage/migrations.js'));
  const { UsageRepository } = await import(dist('usage/usage.repository.js'));
  const pricing = new Pricing([
    { name: 'openai', type: 'openai', baseUrl: 'https://api.openai.com/v1' },
  ]);
  const observed = {
    requestId: 'req_bench',
    startedAt: Date.now(),
    keyId: 'key_bench',
    requestedModel: 'gpt-4o-mini',
    provider: 'openai',
    model: 'gpt-4o-mini',
    stream: false,
    statusCode: 200,
    usage: { prompt_tokens: 24, completion_tokens: 6, total_tokens: 30 },
    latencyMs: 0.4,
    ttftMs: null,
    errorType: null,
    errorCode: null,
    partial: false,
    user: null,
  };
  const records = [];
  let t = performance.now();
  for (let i = 0; i < n; i++) records.push(buildUsageRecord(observed, `usage_${i}`, pricing));
  const buildUs = ((performance.now() - t) / n) * 1000;

  const dir = mkdtempSync(join(tmpdir(), 'tollgate-usage-micro-'));
  const database = await openDatabase(opt('database-url', `sqlite:${join(dir, 'micro.db')}`));
  await migrateToLatest(database.db);
  const repo = new UsageRepository(database);
  t = performance.now();
  for (let i = 0; i < records.length; i += 500) await repo.insertMany(records.slice(i, i + 500));
  const writeUs = ((performance.now() - t) / n) * 1000;
  await database.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `in isolation (${n} rows): build + price a row ${buildUs.toFixed(2)} µs; write in batches of 500 ${writeUs.toFixed(2)} µs per row (${database.dialect})`,
  );
}

/** Child process: the gateway, with usage recording on or off. */
async function serve(mode) {
  const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;
  await import('reflect-metadata');
  const { createApp } = await import(dist('app.factory.js'));
  const { loadConfig } = await import(dist('config/config.js'));
  const { createLogger } = await import(dist('logging/logger.js'));
  if (mode === 'off') {
    const { UsageCollector } = await import(dist('usage/usage-collector.service.js'));
    UsageCollector.prototype.collect = () => undefined;
  }
  const app = await createApp(loadConfig(process.env), createLogger('warn'));
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`${JSON.stringify({ port: app.getHttpServer().address().port })}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

async function main() {
  const N = Number(opt('requests', 3000));
  const ROUNDS = Number(opt('rounds', 5));
  const completion = JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1764100000,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'The quick brown fox.' },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 24, completion_tokens: 6, total_tokens: 30 },
  });
  const upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(completion),
      });
      res.end(completion);
    });
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));

  const dirs = [];
  const start = async (mode) => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-usage-bench-'));
    dirs.push(dir);
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', mode], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        TOLLGATE_MASTER_KEY: MASTER_KEY,
        DATABASE_URL: opt('database-url', `sqlite:${join(dir, 'tollgate.db')}`),
        OPENAI_API_KEY: 'sk-bench',
        OPENAI_BASE_URL: `http://127.0.0.1:${upstream.address().port}/v1`,
        OPENAI_MODELS: 'gpt-4o-mini',
        TOLLGATE_DISCOVERY_INTERVAL_S: '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const { port } = await firstLineJson(child);
    return { child, url: `http://127.0.0.1:${port}` };
  };

  const on = await start('on');
  const off = await start('off');
  const created = await fetch(`${on.url}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench' }),
  }).then((r) => r.json());

  const agent = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
  const body = JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say something short.' }],
  });
  const cpu = (pid) => cpuSeconds(pid) * 1000; // ms
  const run = async (target, key, n) => {
    const lat = [];
    const cpu0 = cpu(target.child.pid);
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const res = await request(`${target.url}/v1/chat/completions`, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      lat.push(performance.now() - t);
    }
    return { lat, cpuMs: cpu(target.child.pid) - cpu0 };
  };
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[s.length >> 1];
  };

  const variants = [
    ['usage off, master key', off, MASTER_KEY],
    ['usage on,  master key', on, MASTER_KEY],
    ['usage on,  managed key', on, created.key],
  ];
  for (const [, target, key] of variants) await run(target, key, 500); // warm-up (JIT, tokenizer-free path, caches)
  const results = new Map(variants.map(([name]) => [name, { lat: [], cpuMs: 0, n: 0 }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, target, key] of round % 2 ? [...variants].reverse() : variants) {
      const r = await run(target, key, N);
      const acc = results.get(name);
      acc.lat.push(...r.lat);
      acc.cpuMs += r.cpuMs;
      acc.n += N;
    }
  }
  const rows = await fetch(`${on.url}/admin/usage/log?limit=1`, {
    headers: { authorization: `Bearer ${MASTER_KEY}` },
  }).then((r) => r.json());

  console.log(
    `node ${process.version}; ${ROUNDS} rounds × ${N} sequential non-streamed requests per variant, 1 connection, zero-latency stand-in`,
  );
  console.log('variant                   median latency   gateway CPU per request');
  const base = results.get(variants[0][0]);
  for (const [name] of variants) {
    const r = results.get(name);
    const med = median(r.lat);
    const cpuUs = (r.cpuMs / r.n) * 1000;
    const dMed = med - median(base.lat);
    const dCpu = cpuUs - (base.cpuMs / base.n) * 1000;
    console.log(
      `${name.padEnd(24)}  ${med.toFixed(3)} ms${name === variants[0][0] ? '         ' : ` (${dMed >= 0 ? '+' : ''}${(dMed * 1000).toFixed(0)} µs)`}   ${cpuUs.toFixed(0)} µs${name === variants[0][0] ? '' : ` (${dCpu >= 0 ? '+' : ''}${dCpu.toFixed(0)} µs)`}`,
    );
  }
  console.log(`usage rows written by the "on" gateway: ${rows.total}`);
  await micro(Math.max(20_000, N * 10));

  for (const t of [on, off]) t.child.kill('SIGTERM');
  await Promise.all([on, off].map((t) => new Promise((r) => t.child.on('exit', r))));
  await agent.close();
  upstream.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

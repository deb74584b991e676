// Benchmark harness: `npm run bench` (full, several minutes) or `npm run bench:smoke`
// (a few seconds, to keep the harness from rotting).
//
// Starts the stand-in upstream, the reference proxy (minimal Nest + express + undici) and
// Tollgate with production-like settings (SQLite usage store, managed-key auth, metrics,
// info logs to a file), then measures every scenario against the direct call to the
// stand-in in the same run, interleaving targets and repeating rounds; reports medians.
//
// Options: --smoke, --rounds N, --seconds N, --soak SECONDS, --only scenario[,scenario],
//          --json PATH (write the raw results), --node-flags "…" (the gateway's node flags),
//          --otel (a fourth target, `tollgate-otel`: the same gateway with OpenTelemetry
//          tracing on, exporting every span over OTLP/HTTP protobuf to bench/otlp-sink.mjs,
//          which accepts and discards; the `tollgate` target runs with tracing off).
import autocannon from 'autocannon';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import {
  chatBody,
  configureStandIn,
  cpuSeconds,
  firstLineJson,
  resultsDir,
  rssMb,
  shutDown,
  startGateway,
  startProcess,
  startStandIn,
  buildGateway,
  oneStream,
  streamFor,
} from './processes.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SMOKE = flag('smoke');
const ROUNDS = Number(opt('rounds', SMOKE ? 1 : 5));
const SECONDS = Number(opt('seconds', SMOKE ? 1 : 5));
const SOAK = Number(opt('soak', 0));
const ONLY = opt('only', '')?.split(',').filter(Boolean) ?? [];
const OTEL = flag('otel');
/** Tracing off, whatever the shell running the benchmark has set. */
const TRACING_OFF = { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' };
const GATEWAY_NODE_FLAGS = '';
// Limits are shared through Redis, as production runs them (--redis none: without).
const REDIS_URL = opt('redis', process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');

// ---------------------------------------------------------------- measurement

const median = (xs) => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Runs `fn` and the target process's CPU seconds it took (NaN when there is no pid). */
async function withCpu(target, fn) {
  const before = target.pid ? cpuSeconds(target.pid) : NaN;
  const result = await fn();
  return { result, cpu: target.pid ? cpuSeconds(target.pid) - before : NaN };
}

/** c=1 closed loop with per-request timing at sub-millisecond resolution. */
async function latencyLoop(target, seconds) {
  const agent = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
  const body = chatBody(false);
  const run = async (ms) => {
    const lat = [];
    const end = performance.now() + ms;
    while (performance.now() < end) {
      const t0 = performance.now();
      const r = await request(target.url, {
        dispatcher: agent,
        method: 'POST',
        headers: target.headers,
        body,
      });
      await r.body.text();
      if (r.statusCode !== 200) throw new Error(`${target.name}: HTTP ${r.statusCode}`);
      lat.push(performance.now() - t0);
    }
    return lat;
  };
  await run(300); // warm-up
  const { result: lat, cpu } = await withCpu(target, () => run(seconds * 1000));
  await agent.close();
  return {
    rps: lat.length / seconds,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    cpuPer1k: (cpu / lat.length) * 1000,
  };
}

/** Open-loop-ish throughput with autocannon at a fixed number of connections. */
async function throughput(target, connections, seconds) {
  const opts = {
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body: chatBody(false),
    connections,
  };
  await autocannon({ ...opts, duration: 1 }); // warm-up
  const { result: r, cpu } = await withCpu(target, () =>
    autocannon({ ...opts, duration: seconds }),
  );
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${target.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpuPer1k: (cpu / r.requests.total) * 1000,
    rssMb: target.pid ? rssMb(target.pid) : NaN,
  };
}

/** N concurrent clients each streaming completions back to back. */
async function streams(target, concurrency, seconds) {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 60_000 });
  await streamFor(target, { concurrency, ms: 300, agent });
  const { result: samples, cpu } = await withCpu(target, () =>
    streamFor(target, { concurrency, ms: seconds * 1000, agent }),
  );
  await agent.close();
  return {
    streamsPerSec: samples.length / seconds,
    ttfbP50: median(samples.map((s) => s.ttfb)),
    ttlbP50: median(samples.map((s) => s.ttlb)),
    ttlbP99: pct(
      samples.map((s) => s.ttlb),
      99,
    ),
    cpuPer1k: (cpu / samples.length) * 1000,
  };
}

/** Holds `count` slow streams open at once and samples the target's memory. */
async function slowStreams(target, count) {
  const agent = new Agent({ connections: count + 8, keepAliveTimeout: 60_000 });
  const body = chatBody(true);
  global.gc?.();
  const before = target.pid ? rssMb(target.pid) : NaN;
  let peak = before;
  const sampler = setInterval(() => {
    if (target.pid) peak = Math.max(peak, rssMb(target.pid));
  }, 100);
  const results = await Promise.allSettled(
    Array.from({ length: count }, () => oneStream(target, agent, body)),
  );
  clearInterval(sampler);
  await agent.close();
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed > 0) throw new Error(`${target.name}: ${failed}/${count} slow streams failed`);
  return {
    rssBeforeMb: before,
    rssPeakMb: peak,
    kbPerStream: ((peak - before) * 1024) / count,
    ttlbP50: median(results.map((r) => r.value.ttlb)),
  };
}

// ---------------------------------------------------------------- scenarios

const SCENARIOS = [
  // First, while every process is fresh: it measures what open streams cost on top of an
  // idle process, not the heap high-water mark left by the throughput scenarios.
  {
    name: 'stream-500-slow',
    title: '500 concurrent slow streams (20 chunks, 100 ms apart): memory per open stream',
    upstream: { latencyMs: 0, chunkDelayMs: SMOKE ? 10 : 100, chunks: 20 },
    run: (t) => slowStreams(t, SMOKE ? 20 : 500),
  },
  {
    name: 'nonstream-c1',
    title: 'non-stream, c=1, zero upstream latency (added latency)',
    upstream: { latencyMs: 0, chunkDelayMs: 0, chunks: 20 },
    run: (t) => latencyLoop(t, SECONDS),
  },
  {
    name: 'nonstream-c64',
    title: 'non-stream, c=64, zero upstream latency (CPU ceiling)',
    upstream: { latencyMs: 0, chunkDelayMs: 0, chunks: 20 },
    run: (t) => throughput(t, SMOKE ? 8 : 64, SECONDS),
  },
  {
    name: 'nonstream-c256-50ms',
    title: 'non-stream, c=256, 50 ms upstream latency (in-flight capacity)',
    upstream: { latencyMs: 50, chunkDelayMs: 0, chunks: 20 },
    run: (t) => throughput(t, SMOKE ? 16 : 256, SECONDS),
  },
  {
    name: 'stream-16x20',
    title: '16 concurrent streams of 20 chunks (1 ms apart)',
    upstream: { latencyMs: 0, chunkDelayMs: 1, chunks: 20 },
    run: (t) => streams(t, SMOKE ? 4 : 16, SECONDS),
  },
  {
    // The tollgate target uses a key with rpm, tpm and a budget (none reached): admission
    // through Redis, reservation and settlement on every request.
    name: 'nonstream-c64-limited',
    title: 'non-stream, c=64, zero upstream latency, a key with rpm/tpm/budget (Redis)',
    upstream: { latencyMs: 0, chunkDelayMs: 0, chunks: 20 },
    run: (t) => throughput(t.limited ?? t, SMOKE ? 8 : 64, SECONDS),
  },
  {
    // No gap between chunks: the relay's CPU per chunk decides the time to last byte.
    name: 'stream-16x20-nogap',
    title: '16 concurrent streams of 20 chunks sent back to back',
    upstream: { latencyMs: 0, chunkDelayMs: 0, chunks: 20 },
    run: (t) => streams(t, SMOKE ? 4 : 16, SECONDS),
  },
];

// ---------------------------------------------------------------- main

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  buildGateway();
  const { standIn, upstreamUrl } = await startStandIn();
  const reference = startProcess('reference', 'bench/reference-proxy.mjs', {
    UPSTREAM_URL: upstreamUrl,
  });
  const { port: refPort } = await firstLineJson(reference);
  const {
    gateway,
    base,
    key: gatewayKey,
    limitedKey,
  } = await startGateway({
    upstreamUrl,
    redisUrl: REDIS_URL === 'none' ? undefined : REDIS_URL,
    dbFile: join(tmp, 'bench.db'),
    logFile: join(resultsDir, 'tollgate.log'),
    // As `npm start` and the Dockerfile run it (override with --node-flags "…").
    nodeFlags: (opt('node-flags', GATEWAY_NODE_FLAGS) ?? '').split(' ').filter(Boolean),
    env: TRACING_OFF,
  });
  const auth = 'managed key';
  const traced = OTEL ? await startTracedGateway(tmp, upstreamUrl) : undefined;

  const headers = (key) => ({ 'content-type': 'application/json', authorization: `Bearer ${key}` });
  const targets = [
    {
      name: 'direct',
      url: `${upstreamUrl}/v1/chat/completions`,
      headers: headers('x'),
      pid: standIn.pid,
    },
    {
      name: 'reference',
      url: `http://127.0.0.1:${refPort}/v1/chat/completions`,
      headers: headers('x'),
      pid: reference.pid,
    },
    {
      name: 'tollgate',
      url: `${base}/v1/chat/completions`,
      headers: headers(gatewayKey),
      pid: gateway.pid,
      limited: {
        name: 'tollgate',
        url: `${base}/v1/chat/completions`,
        headers: headers(limitedKey),
        pid: gateway.pid,
      },
    },
  ];
  if (traced) {
    targets.push({
      name: 'tollgate-otel',
      url: `${traced.base}/v1/chat/completions`,
      headers: headers(traced.key),
      pid: traced.gateway.pid,
      limited: {
        name: 'tollgate-otel',
        url: `${traced.base}/v1/chat/completions`,
        headers: headers(traced.limitedKey),
        pid: traced.gateway.pid,
      },
    });
  }

  const configure = (cfg) => configureStandIn(upstreamUrl, cfg);

  const results = {};
  const scenarios = SCENARIOS.filter((s) => ONLY.length === 0 || ONLY.includes(s.name));
  for (const s of scenarios) {
    await configure(s.upstream);
    results[s.name] = { title: s.title, rounds: [] };
    process.stderr.write(`${s.name}:`);
    for (let round = 0; round < ROUNDS; round++) {
      const row = {};
      // Rotate the order every round so no target always runs first or last.
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      for (const t of order) row[t.name] = await s.run(t);
      results[s.name].rounds.push(row);
      process.stderr.write(` ${round + 1}`);
    }
    process.stderr.write('\n');
  }

  let soak;
  if (SOAK > 0) {
    await configure({ latencyMs: 0, chunkDelayMs: 1, chunks: 20 });
    const gw = targets[2];
    const samples = [];
    const end = Date.now() + SOAK * 1000;
    process.stderr.write(`soak ${SOAK}s:`);
    while (Date.now() < end) {
      await streams(gw, 16, 5);
      await throughput(gw, 32, 5);
      samples.push({ t: SOAK - Math.round((end - Date.now()) / 1000), rssMb: rssMb(gw.pid) });
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    soak = samples;
  }

  const summary = summarise(results);
  const report = render(summary, soak, {
    rounds: ROUNDS,
    seconds: SECONDS,
    auth,
    smoke: SMOKE,
    // Proof the traced gateway exported what it traced.
    sink: traced ? await (await fetch(`${traced.sinkUrl}/stats`)).json() : undefined,
  });
  process.stdout.write(report);
  writeFileSync(
    opt('json', join(resultsDir, SMOKE ? 'smoke.json' : 'latest.json')),
    JSON.stringify({ summary, results, soak }, null, 2),
  );
  writeFileSync(join(resultsDir, SMOKE ? 'smoke.md' : 'latest.md'), report);
  shutDown();
}

/**
 * The same gateway with OpenTelemetry tracing on (every request sampled: nothing sends a
 * parent), exporting over OTLP/HTTP protobuf to a local sink with the SDK's default
 * batching.
 */
async function startTracedGateway(tmp, upstreamUrl) {
  const sink = startProcess('otlp-sink', 'bench/otlp-sink.mjs', {});
  const { port } = await firstLineJson(sink);
  const sinkUrl = `http://127.0.0.1:${port}`;
  const started = await startGateway({
    name: 'tollgate-otel',
    upstreamUrl,
    redisUrl: REDIS_URL === 'none' ? undefined : REDIS_URL,
    dbFile: join(tmp, 'bench-otel.db'),
    logFile: join(resultsDir, 'tollgate-otel.log'),
    nodeFlags: (opt('node-flags', GATEWAY_NODE_FLAGS) ?? '').split(' ').filter(Boolean),
    env: {
      ...TRACING_OFF,
      OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
      OTEL_SERVICE_NAME: 'tollgate-bench',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    },
  });
  return { ...started, sinkUrl };
}

function summarise(results) {
  const out = {};
  for (const [name, { title, rounds }] of Object.entries(results)) {
    const metrics = Object.keys(rounds[0].direct);
    const names = Object.keys(rounds[0]).sort((a, b) => TARGET_ORDER(a) - TARGET_ORDER(b));
    const perTarget = {};
    for (const t of names) {
      perTarget[t] = Object.fromEntries(
        metrics.map((m) => [m, median(rounds.map((r) => r[t][m]))]),
      );
    }
    const lat = metrics.includes('p50') ? 'p50' : 'ttlbP50';
    const added = (t) => median(rounds.map((r) => r[t][lat] - r.direct[lat]));
    out[name] = {
      title,
      perTarget,
      addedMs: Object.fromEntries(names.filter((t) => t !== 'direct').map((t) => [t, added(t)])),
      // Tracing on against off, paired round by round (same load, same moment).
      ...(names.includes('tollgate-otel')
        ? {
            tracingAddedMs: median(rounds.map((r) => r['tollgate-otel'][lat] - r.tollgate[lat])),
          }
        : {}),
    };
  }
  return out;
}

const TARGET_ORDER = (name) => {
  const i = ['direct', 'reference', 'tollgate', 'tollgate-otel'].indexOf(name);
  return i === -1 ? 99 : i;
};

const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');

function render(summary, soak, meta) {
  const lines = [];
  lines.push(
    `Tollgate benchmark — ${new Date().toISOString()} — node ${process.version}, ${meta.rounds} round(s) × ${meta.seconds}s per target, medians; gateway auth: ${meta.auth}${meta.smoke ? ' (SMOKE: numbers not meaningful)' : ''}`,
  );
  lines.push('');
  for (const [name, s] of Object.entries(summary)) {
    lines.push(`### ${name}: ${s.title}`);
    lines.push('');
    const cols = Object.keys(s.perTarget.direct);
    lines.push(`| target | ${cols.join(' | ')} | added vs direct (ms) |`);
    lines.push(`|---|${cols.map(() => '---').join('|')}|---|`);
    for (const t of Object.keys(s.perTarget)) {
      lines.push(
        `| ${t} | ${cols.map((c) => f(s.perTarget[t][c], c === 'rps' || c === 'streamsPerSec' ? 0 : 3)).join(' | ')} | ${t === 'direct' ? '' : f(s.addedMs[t], 3)} |`,
      );
    }
    lines.push('');
  }
  const g = (n, t, m) => summary[n]?.perTarget[t]?.[m];
  const checks = [];
  if (summary['nonstream-c1'])
    checks.push([
      'added p50 latency at c=1 ≤ 0.5 ms',
      f(summary['nonstream-c1'].addedMs.tollgate, 3) + ' ms',
      summary['nonstream-c1'].addedMs.tollgate <= 0.5,
    ]);
  if (summary['nonstream-c64']) {
    const cpuRatio =
      g('nonstream-c64', 'tollgate', 'cpuPer1k') / g('nonstream-c64', 'reference', 'cpuPer1k');
    const rpsRatio = g('nonstream-c64', 'tollgate', 'rps') / g('nonstream-c64', 'reference', 'rps');
    checks.push([
      'gateway CPU per request ≤ 1.5× reference (c=64)',
      `${f(cpuRatio)}×`,
      cpuRatio <= 1.5,
    ]);
    checks.push(['c=64 throughput ≥ 0.7× reference', `${f(rpsRatio)}×`, rpsRatio >= 0.7]);
  }
  if (summary['stream-16x20']) {
    const r = g('stream-16x20', 'tollgate', 'ttlbP50') / g('stream-16x20', 'reference', 'ttlbP50');
    checks.push(['stream time-to-last-byte ≤ 1.1× reference', `${f(r)}×`, r <= 1.1]);
  }
  if (summary['nonstream-c64-limited'] && summary['nonstream-c64']) {
    const extra =
      g('nonstream-c64-limited', 'tollgate', 'cpuPer1k') -
      g('nonstream-c64', 'tollgate', 'cpuPer1k');
    const rpsRatio =
      g('nonstream-c64-limited', 'tollgate', 'rps') / g('nonstream-c64', 'tollgate', 'rps');
    checks.push([
      'limited key (rpm/tpm/budget via Redis): extra CPU per request vs an unlimited key',
      `${f(extra, 3)} ms, throughput ${f(rpsRatio)}×`,
      true,
    ]);
  }
  if (summary['stream-16x20-nogap']) {
    const r =
      g('stream-16x20-nogap', 'tollgate', 'ttlbP50') /
      g('stream-16x20-nogap', 'reference', 'ttlbP50');
    checks.push([
      'stream time-to-last-byte, chunks back to back, ≤ 1.1× reference',
      `${f(r)}×`,
      r <= 1.1,
    ]);
  }
  // Tracing on (tollgate-otel) against off (tollgate), where --otel ran it.
  const otel = (n) => summary[n]?.perTarget['tollgate-otel'] !== undefined;
  if (otel('nonstream-c1')) {
    checks.push([
      'tracing on: added p50 at c=1 vs tracing off (paired rounds)',
      `${f(summary['nonstream-c1'].tracingAddedMs, 3)} ms`,
      true,
    ]);
  }
  if (otel('nonstream-c64')) {
    const extra =
      g('nonstream-c64', 'tollgate-otel', 'cpuPer1k') - g('nonstream-c64', 'tollgate', 'cpuPer1k');
    const rpsRatio =
      g('nonstream-c64', 'tollgate-otel', 'rps') / g('nonstream-c64', 'tollgate', 'rps');
    checks.push([
      'tracing on: extra CPU per request vs off (c=64), throughput on/off',
      `${f(extra, 3)} ms, ${f(rpsRatio)}×`,
      true,
    ]);
  }
  if (otel('stream-16x20')) {
    const r =
      g('stream-16x20', 'tollgate-otel', 'ttlbP50') / g('stream-16x20', 'tollgate', 'ttlbP50');
    const extra =
      g('stream-16x20', 'tollgate-otel', 'cpuPer1k') - g('stream-16x20', 'tollgate', 'cpuPer1k');
    checks.push([
      'tracing on: stream time-to-last-byte on/off, extra CPU per stream',
      `${f(r)}×, ${f(extra, 3)} ms`,
      true,
    ]);
  }
  if (summary['stream-500-slow']) {
    const peak = g('stream-500-slow', 'tollgate', 'rssPeakMb');
    checks.push(['RSS ≤ 200 MB with 500 open streams', `${f(peak, 0)} MB`, peak <= 200]);
  }
  if (soak?.length) {
    // RSS read at an arbitrary point of V8's collection cycle swings by tens of MB; a leak
    // raises the floor, garbage not yet collected only the peaks. So compare the lowest
    // sample of the first third of the run with the lowest of the last third.
    const third = Math.max(1, Math.floor(soak.length / 3));
    const floor = (xs) => Math.min(...xs.map((x) => x.rssMb));
    const first = floor(soak.slice(0, third));
    const last = floor(soak.slice(-third));
    const peak = Math.max(...soak.map((x) => x.rssMb));
    checks.push([
      `no RSS growth over a ${soak.at(-1).t}s steady run (floor of first vs last third)`,
      `${f(first, 0)} → ${f(last, 0)} MB (peak ${f(peak, 0)})`,
      last <= first * 1.1,
    ]);
  }
  if (checks.length) {
    lines.push('### targets');
    lines.push('');
    lines.push('| target | measured | met |');
    lines.push('|---|---|---|');
    for (const [what, value, ok] of checks)
      lines.push(`| ${what} | ${value} | ${ok ? 'yes' : 'no'} |`);
    lines.push('');
  }
  if (meta.sink) {
    lines.push(
      `tollgate-otel exported ${meta.sink.exports} OTLP requests (${f(meta.sink.bytes / 1024 / 1024, 1)} MB) to the sink.`,
    );
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

main()
  .then(() => process.exit(0))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });

// Where the gateway's CPU goes:
//   node bench/profile.mjs [--seconds N] [--connections N] [--stream | --nogap] [--top N]
//                          [--reference]
//
// Builds the gateway, runs it as bench/run.mjs does (SQLite usage store, managed key,
// metrics, info logs to a file) under `--cpu-prof`, drives non-streamed requests at the
// zero-latency stand-in for N seconds (with --stream: N concurrent streams of 20 chunks
// 1 ms apart, 16 by default), then prints the profile's self time grouped by
// component, as a share of the time the main thread was busy. The raw `.cpuprofile` is
// kept in bench/results/ for Chrome DevTools or speedscope. With --reference the same is
// done to the bench reference (bare Nest + express + undici), for a side-by-side view.
import autocannon from 'autocannon';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildGateway,
  chatBody,
  configureStandIn,
  firstLineJson,
  resultsDir,
  shutDown,
  startProcess,
  startGateway,
  startStandIn,
  streamFor,
} from './processes.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SECONDS = Number(opt('seconds', 8));
const STREAM = args.includes('--stream') || args.includes('--nogap');
// --nogap: the stream's chunks are sent back to back, so the relay's CPU decides.
const NOGAP = args.includes('--nogap');
const TOP = Number(opt('top', 0));
const REFERENCE = args.includes('--reference');
const CONNECTIONS = Number(opt('connections', STREAM ? 16 : 64));
const profDir = join(resultsDir, 'profile');
rmSync(profDir, { recursive: true, force: true });

/** Self time is attributed to the first rule whose test matches the frame. */
const COMPONENTS = [
  ['garbage collection (main thread)', (f) => f.functionName === '(garbage collector)'],
  [
    'socket writes (writev, native)',
    (f) =>
      /^(writev|writeBuffer|writeUtf8String|writeLatin1String)$/.test(f.functionName) &&
      f.url === '',
  ],
  [
    'express (router, request/response)',
    (f) =>
      /node_modules\/(express|router|path-to-regexp|finalhandler|send|on-finished|parseurl|qs|accepts|type-is|content-type|statuses|depd|vary|encodeurl|escape-html)\//.test(
        f.url,
      ),
  ],
  ['NestJS (router, guard, pipes, params)', (f) => /node_modules\/@nestjs\//.test(f.url)],
  ['rxjs (Nest interceptor and response pipeline)', (f) => /node_modules\/rxjs\//.test(f.url)],
  ['undici (upstream client)', (f) => /undici/.test(f.url)],
  [
    'usage rows (SQLite, Kysely, recorder)',
    (f) => /node_modules\/(better-sqlite3|kysely)\/|dist\/usage\//.test(f.url),
  ],
  [
    'pino (request log line)',
    (f) => /node_modules\/(pino|sonic-boom|fast-redact|thread-stream|@pinojs)/.test(f.url),
  ],
  ['prom-client (metrics)', (f) => /node_modules\/(prom-client|tdigest|bintrees)\//.test(f.url)],
  ['gateway code (context, auth, routing, validation, exchange)', (f) => /\/dist\//.test(f.url)],
  [
    'JSON parse/stringify (native)',
    (f) => f.url === '' && /^(parse|stringify)$/.test(f.functionName),
  ],
  ['Node core: HTTP, net, streams, events, timers', (f) => /^node:/.test(f.url)],
  ['module loading at start', (f) => /node_modules\//.test(f.url)],
  ['V8 and libuv outside JavaScript ((program))', (f) => f.functionName === '(program)'],
  ['other native and V8', () => true],
];
const IDLE = new Set(['(idle)']);

// --cpu-prof writes the profile on a normal exit; SIGUSR2 makes the process exit normally.
const nodeFlags = [
  '--cpu-prof',
  `--cpu-prof-dir=${profDir}`,
  '--import',
  'data:text/javascript,process.on("SIGUSR2",()=>process.exit(0))',
];
const { standIn, upstreamUrl } = await startStandIn();
const tmp = mkdtempSync(join(tmpdir(), 'tollgate-profile-'));
let gateway;
let base;
let key = 'unused';
if (REFERENCE) {
  gateway = startProcess(
    'reference',
    'bench/reference-proxy.mjs',
    { UPSTREAM_URL: upstreamUrl },
    undefined,
    nodeFlags,
  );
  base = `http://127.0.0.1:${(await firstLineJson(gateway)).port}`;
} else {
  buildGateway();
  ({ gateway, base, key } = await startGateway({
    upstreamUrl,
    dbFile: join(tmp, 'bench.db'),
    logFile: join(resultsDir, 'tollgate-profile.log'),
    nodeFlags,
  }));
}

const url = `${base}/v1/chat/completions`;
const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
let requests = 0;
if (STREAM) {
  await configureStandIn(upstreamUrl, { latencyMs: 0, chunkDelayMs: NOGAP ? 0 : 1, chunks: 20 });
  const target = { name: 'tollgate', url, headers };
  requests = (await streamFor(target, { concurrency: CONNECTIONS, ms: SECONDS * 1000 })).length;
} else {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers,
    body: chatBody(false),
  });
  requests = result.requests.total;
}
shutDown();
const exited = new Promise((r) => gateway.once('exit', r));
gateway.kill('SIGUSR2');
await exited;
standIn.kill();
rmSync(tmp, { recursive: true, force: true });

const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + profile.timeDeltas[i]);
}
const totals = new Map(COMPONENTS.map(([name]) => [name, 0]));
let busy = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const frame = byId.get(id).callFrame;
  if (IDLE.has(frame.functionName)) {
    idle += us;
    continue;
  }
  busy += us;
  const [name] = COMPONENTS.find(([, test]) => test(frame));
  totals.set(name, totals.get(name) + us);
}
console.log(
  `${requests} ${STREAM ? 'streams' : 'requests'} in ${SECONDS} s at c=${CONNECTIONS} (${Math.round(requests / SECONDS)}/s); ` +
    `main thread busy ${((100 * busy) / (busy + idle)).toFixed(0)}%, ` +
    `${(busy / requests) | 0} µs of main-thread CPU per request\n`,
);
console.log('| component | share of busy main-thread time | µs per request |');
console.log('| --- | --- | --- |');
for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1])) {
  if (us === 0) continue;
  console.log(`| ${name} | ${((100 * us) / busy).toFixed(1)}% | ${(us / requests).toFixed(1)} |`);
}
if (TOP > 0) {
  // --top N: the functions with the most self time, for finding what to change.
  const byFrame = new Map();
  for (const [id, us] of selfUs) {
    const f = byId.get(id).callFrame;
    if (IDLE.has(f.functionName)) continue;
    const k = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '')}:${f.lineNumber + 1}`;
    byFrame.set(k, (byFrame.get(k) ?? 0) + us);
  }
  console.log(`\n| function | µs per request |\n| --- | --- |`);
  for (const [k, us] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`| ${k} | ${(us / requests).toFixed(1)} |`);
  }
}
console.log(`\nprofile: ${join(profDir, file)}`);

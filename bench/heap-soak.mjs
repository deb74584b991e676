// Does the gateway's memory grow under steady load? `node bench/heap-soak.mjs [--seconds N]`
//
// RSS alone cannot say: it swings by tens of MB with V8's collection cycle. This runs the
// gateway as bench/run.mjs does, plus `--expose-gc` and a SIGUSR2 handler that collects
// garbage and prints `process.memoryUsage()`, then alternates the soak load of run.mjs
// (5 s of 16 streams, 5 s of non-streamed requests at c=32) and samples memory after a
// full collection every 10 s. A leak shows as a rising post-collection heap.
import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildGateway,
  chatBody,
  configureStandIn,
  resultsDir,
  shutDown,
  startGateway,
  startStandIn,
  streamFor,
} from './processes.mjs';

const args = process.argv.slice(2);
const i = args.indexOf('--seconds');
const SECONDS = Number(i >= 0 ? args[i + 1] : 300);

const report = `process.on('SIGUSR2', () => {
  globalThis.gc();
  const m = process.memoryUsage();
  console.log('MEMORY ' + JSON.stringify({ heapMb: m.heapUsed / 1048576, rssMb: m.rss / 1048576 }));
});`;

buildGateway();
const { upstreamUrl } = await startStandIn();
await configureStandIn(upstreamUrl, { latencyMs: 0, chunkDelayMs: 1, chunks: 20 });
const tmp = mkdtempSync(join(tmpdir(), 'tollgate-heap-soak-'));
const logFile = join(resultsDir, 'tollgate-heap-soak.log');
const { gateway, base, key } = await startGateway({
  upstreamUrl,
  dbFile: join(tmp, 'bench.db'),
  logFile,
  nodeFlags: ['--expose-gc', '--import', `data:text/javascript,${encodeURIComponent(report)}`],
});

const url = `${base}/v1/chat/completions`;
const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
/** Collects garbage in the gateway and reads the line it logs. */
async function sample() {
  const seen = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('MEMORY')).length;
  gateway.kill('SIGUSR2');
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const lines = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('MEMORY'));
    if (lines.length > seen) return JSON.parse(lines.at(-1).slice('MEMORY '.length));
  }
}

const t0 = Date.now();
const samples = [{ t: 0, ...(await sample()) }];
process.stderr.write(`heap soak ${SECONDS}s:`);
while (Date.now() - t0 < SECONDS * 1000) {
  await streamFor({ name: 'tollgate', url, headers }, { concurrency: 16, ms: 5000 });
  await autocannon({
    url,
    method: 'POST',
    headers,
    body: chatBody(false),
    connections: 32,
    duration: 5,
  });
  samples.push({ t: Math.round((Date.now() - t0) / 1000), ...(await sample()) });
  process.stderr.write('.');
}
process.stderr.write('\n');
shutDown();
rmSync(tmp, { recursive: true, force: true });

console.log('| t (s) | heap used after GC (MB) | RSS after GC (MB) |');
console.log('| --- | --- | --- |');
for (const s of samples) console.log(`| ${s.t} | ${s.heapMb.toFixed(1)} | ${s.rssMb.toFixed(1)} |`);
// The first minute warms caches (JIT code, key cache, prepared statements): compare after it.
const warm = samples.find((s) => s.t >= 60) ?? samples[1];
const last = samples.at(-1);
console.log(
  `\npost-GC heap ${warm.heapMb.toFixed(1)} MB at ${warm.t} s → ${last.heapMb.toFixed(1)} MB at ${last.t} s ` +
    `(${(((last.heapMb - warm.heapMb) / warm.heapMb) * 100).toFixed(1)}%)`,
);
process.exit(0);

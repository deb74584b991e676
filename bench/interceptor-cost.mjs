// What Nest's interceptor machinery costs per request on express:
//   node bench/interceptor-cost.mjs [--rounds N] [--seconds N] [--connections N]
//
// Runs the bench reference (bare Nest 12 + express + undici pass-through) with 0, 1 and 2
// no-op interceptors of the usage interceptor's form on its route, in interleaved rounds
// against the zero-latency stand-in, and prints the median main-process CPU per request
// and throughput of each. The difference between 0 and 1 is the price of putting any
// interceptor on a route (rxjs chain, client-disconnect watch, lastValueFrom); between
// 1 and 2, the price of each further one.
import autocannon from 'autocannon';
import {
  chatBody,
  configureStandIn,
  cpuSeconds,
  firstLineJson,
  shutDown,
  startProcess,
  startStandIn,
} from './processes.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = opt('rounds', 5);
const SECONDS = opt('seconds', 5);
const CONNECTIONS = opt('connections', 64);
const VARIANTS = [0, 1, 2];

const { upstreamUrl } = await startStandIn();
await configureStandIn(upstreamUrl, { latencyMs: 0, chunkDelayMs: 0, chunks: 1 });
const targets = [];
for (const n of VARIANTS) {
  const child = startProcess(`reference+${n}`, 'bench/reference-proxy.mjs', {
    UPSTREAM_URL: upstreamUrl,
    REFERENCE_INTERCEPTORS: String(n),
  });
  const { port } = await firstLineJson(child);
  targets.push({ n, pid: child.pid, url: `http://127.0.0.1:${port}/v1/chat/completions` });
}

const body = chatBody(false);
const run = (t, duration) =>
  autocannon({
    url: t.url,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { 'content-type': 'application/json' },
    body,
  });
for (const t of targets) await run(t, 1); // warm-up

const samples = new Map(VARIANTS.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const t of round % 2 ? [...targets].reverse() : targets) {
    const before = cpuSeconds(t.pid);
    const r = await run(t, SECONDS);
    const cpu = cpuSeconds(t.pid) - before;
    samples.get(t.n).push({ usPerReq: (cpu * 1e6) / r.requests.total, rps: r.requests.average });
  }
}
shutDown();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(samples.get(0).map((s) => s.usPerReq));
console.log(
  `\nNest + express reference, c=${CONNECTIONS}, ${ROUNDS} rounds × ${SECONDS} s, medians (node ${process.version})\n`,
);
console.log('| interceptors on the route | CPU per request (µs) | vs none (µs) | requests/s |');
console.log('| --- | --- | --- | --- |');
for (const n of VARIANTS) {
  const us = median(samples.get(n).map((s) => s.usPerReq));
  const rps = median(samples.get(n).map((s) => s.rps));
  console.log(
    `| ${n} | ${us.toFixed(1)} | ${n ? `+${(us - base).toFixed(1)}` : ''} | ${rps.toFixed(0)} |`,
  );
}
process.exit(0);

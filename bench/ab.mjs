// CPU per request of two or more gateway builds, side by side:
//   node bench/ab.mjs [--rounds N] [--seconds N] [--connections N] NAME=ENTRY[;VAR=VALUE…] …
//
// Each argument is one gateway process: a name, the entry script of a build and, after
// `;`, extra environment (e.g. `quiet=dist/main.js;LOG_LEVEL=warn`). Give each build twice
// (`before=… before2=… after=… after2=…`): CPU per request differs from one process to the
// next, so a difference between builds means something only when it is larger than the
// one between two processes of the same build. To measure an older commit:
//   git worktree add /tmp/before <commit> && ln -s "$PWD/node_modules" /tmp/before/
//   (cd /tmp/before && npx nest build)
//   node bench/ab.mjs before=/tmp/before/dist/main.js after=dist/main.js \
//     before2=/tmp/before/dist/main.js after2=dist/main.js
// Every process is started as bench/run.mjs starts the gateway (SQLite usage store, a
// managed key, metrics, info logs to a file); rounds of autocannon at c=64 against the
// zero-latency stand-in are interleaved (order reversed every other round), and the
// medians of process CPU (utime + stime from /proc) per request are printed.
import autocannon from 'autocannon';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatBody, cpuSeconds, rssMb, shutDown, startGateway, startStandIn } from './processes.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : fallback;
};
const ROUNDS = opt('rounds', 6);
const SECONDS = opt('seconds', 4);
const CONNECTIONS = opt('connections', 64);
if (args.length < 2) {
  console.error('usage: node bench/ab.mjs [--rounds N] [--seconds N] NAME=ENTRY[;VAR=VALUE…] …');
  process.exit(2);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const { standIn, upstreamUrl } = await startStandIn();
const tmp = mkdtempSync(join(tmpdir(), 'tollgate-ab-'));

const targets = [];
for (const spec of args) {
  const [head, ...vars] = spec.split(';');
  const eq = head.indexOf('=');
  const name = head.slice(0, eq);
  const { gateway, base, key } = await startGateway({
    upstreamUrl,
    dbFile: join(tmp, `${name}.db`),
    logFile: join(tmp, `${name}.log`),
    name,
    entry: head.slice(eq + 1),
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      ...Object.fromEntries(
        vars.map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]),
      ),
    },
  });
  targets.push({ name, child: gateway, key, url: `${base}/v1/chat/completions`, cpu: [], rps: [] });
}

const body = chatBody(false);
const load = (t, seconds) =>
  autocannon({
    url: t.url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` },
    body,
  });

for (const t of targets) await load(t, 2); // warm-up, not measured
for (let round = 0; round < ROUNDS; round++) {
  for (const t of round % 2 ? [...targets].reverse() : targets) {
    const before = cpuSeconds(t.child.pid);
    const result = await load(t, SECONDS);
    const n = result.requests.total;
    if (result.non2xx > 0) throw new Error(`${t.name}: ${result.non2xx} non-2xx answers`);
    t.cpu.push(((cpuSeconds(t.child.pid) - before) * 1e6) / n);
    t.rps.push(n / SECONDS);
  }
}

console.log(
  `\nc=${CONNECTIONS}, ${ROUNDS} rounds × ${SECONDS} s, medians (node ${process.version})\n`,
);
console.log('| process | CPU per request (µs) | each round (µs) | requests/s | RSS (MB) |');
console.log('| --- | --- | --- | --- | --- |');
for (const t of targets) {
  console.log(
    `| ${t.name} | ${median(t.cpu).toFixed(1)} | ${t.cpu.map((x) => x.toFixed(0)).join(' ')} | ` +
      `${median(t.rps).toFixed(0)} | ${rssMb(t.child.pid).toFixed(0)} |`,
  );
}
shutDown();
for (const t of targets) t.child.kill();
standIn.kill();

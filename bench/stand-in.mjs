// A fast stand-in upstream for benchmarks: OpenAI-shaped JSON and SSE with configurable
// latency before headers, per-chunk delay and chunk count. Bodies are prebuilt so the
// stand-in costs the same for every target. Reconfigured between scenarios through
// POST /__config.
import { createServer } from 'node:http';

const config = { latencyMs: 0, chunkDelayMs: 0, chunks: 20 };
let jsonBody;
let sseFrames;

function rebuild() {
  const base = {
    id: 'chatcmpl-bench',
    created: 1764100000,
    model: 'bench-model',
    system_fingerprint: 'fp_bench',
  };
  jsonBody = JSON.stringify({
    ...base,
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'The quick brown fox jumps over the lazy dog.',
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 24,
      completion_tokens: 10,
      total_tokens: 34,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
  });
  const chunk = (delta, finish = null) =>
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  sseFrames = [chunk({ role: 'assistant', content: '' })];
  for (let i = 0; i < config.chunks; i++) sseFrames.push(chunk({ content: ` tok${i}` }));
  sseFrames.push(chunk({}, 'stop'));
  sseFrames.push(
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 24, completion_tokens: config.chunks, total_tokens: 24 + config.chunks } })}\n\n`,
  );
  sseFrames.push('data: [DONE]\n\n');
}
rebuild();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const server = createServer((req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(parts).toString();
    if (req.url === '/__config') {
      Object.assign(config, JSON.parse(raw));
      rebuild();
      res.end('{}');
      return;
    }
    if (req.url?.endsWith('/models')) {
      res.setHeader('content-type', 'application/json');
      res.end(
        '{"object":"list","data":[{"id":"bench-model","object":"model","created":0,"owned_by":"bench"}]}',
      );
      return;
    }
    void respond(raw.includes('"stream":true'), res);
  });
});

async function respond(stream, res) {
  if (config.latencyMs > 0) await sleep(config.latencyMs);
  if (!stream) {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(jsonBody),
    });
    res.end(jsonBody);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const frame of sseFrames) {
    if (res.destroyed) return;
    res.write(frame);
    if (config.chunkDelayMs > 0) await sleep(config.chunkDelayMs);
  }
  res.end();
}

server.keepAliveTimeout = 120_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

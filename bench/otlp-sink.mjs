// An OTLP/HTTP sink for benchmarks: accepts trace exports (protobuf or JSON), reads and
// discards them, and answers as a collector does (200, empty response), so a traced
// gateway pays the whole export path and nothing waits on a real backend. Prints
// {"port":N} on its first line; GET /stats answers {"exports":N,"bytes":N}.
import { createServer } from 'node:http';

const stats = { exports: 0, bytes: 0 };

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  let bytes = 0;
  req.on('data', (chunk) => (bytes += chunk.length));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    stats.exports++;
    stats.bytes += bytes;
    const json = String(req.headers['content-type']).startsWith('application/json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : undefined);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

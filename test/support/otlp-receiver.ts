import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One exported span, flattened from OTLP/JSON. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP `SpanKind`: 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  resource: Record<string, unknown>;
}

export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;
export const STATUS_ERROR = 2;

/** One export request as it arrived. */
export interface ReceivedExport {
  path: string;
  headers: IncomingHttpHeaders;
  bytes: number;
}

/**
 * An OTLP/HTTP traces receiver on 127.0.0.1: accepts `POST /v1/traces`, decodes the
 * JSON encoding (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) into flat spans, and counts
 * protobuf exports without decoding them. Answers like a collector: 200 and an empty
 * `ExportTraceServiceResponse`.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly exports: ReceivedExport[] = [];
  private server!: Server;
  /** Base URL, for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  url = '';

  static async start(): Promise<OtlpReceiver> {
    const r = new OtlpReceiver();
    r.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        r.exports.push({ path: req.url ?? '', headers: req.headers, bytes: body.length });
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const json = String(req.headers['content-type']).startsWith('application/json');
        if (json) r.spans.push(...flatten(JSON.parse(body.toString('utf8')) as ExportRequest));
        res.writeHead(200, {
          'content-type': json ? 'application/json' : 'application/x-protobuf',
        });
        res.end(json ? '{}' : undefined);
      });
    });
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}`;
    return r;
  }

  /** Waits until the spans received so far satisfy `done` (the exporter batches). */
  async waitFor(
    done: (spans: ReceivedSpan[]) => boolean,
    timeoutMs = 5_000,
  ): Promise<ReceivedSpan[]> {
    const until = Date.now() + timeoutMs;
    while (!done(this.spans)) {
      if (Date.now() > until) {
        throw new Error(
          `OTLP receiver: condition not met; spans: ${JSON.stringify(this.spans.map((s) => s.name))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.spans;
  }

  /** The spans of one trace, once it has at least `count` of them. */
  async trace(traceId: string, count: number): Promise<ReceivedSpan[]> {
    await this.waitFor((spans) => spans.filter((s) => s.traceId === traceId).length >= count);
    return this.spans.filter((s) => s.traceId === traceId);
  }

  reset(): void {
    this.spans.length = 0;
    this.exports.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface KeyValue {
  key: string;
  value: AnyValue;
}
interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
}
interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: KeyValue[];
        status?: { code?: number };
      }>;
    }>;
  }>;
}

function flatten(req: ExportRequest): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          attributes: attributes(s.attributes),
          statusCode: s.status?.code ?? 0,
          resource,
        });
      }
    }
  }
  return out;
}

function attributes(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

function value(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

/** The head-sampling choices of `OTEL_TRACES_SAMPLER` that the OpenTelemetry SDK builds in. */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

/** OTLP over HTTP: protobuf (the OpenTelemetry default) or JSON. gRPC is not built in. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Where and how spans are exported, when tracing is on. */
export interface TracesConfig {
  /** The full OTLP/HTTP traces URL (`…/v1/traces`). */
  endpoint: string;
  protocol: OtlpProtocol;
  /** Sent with every export (`OTEL_EXPORTER_OTLP_HEADERS`, e.g. an API key of the backend). */
  headers: Record<string, string>;
  timeoutMs: number;
  compression: 'gzip' | 'none';
  /** `service.name`, and the other resource attributes (`OTEL_RESOURCE_ATTRIBUTES`). */
  serviceName: string;
  resourceAttributes: Record<string, string>;
  sampler: TraceSampler;
  /** The ratio of the `*traceidratio` samplers, 0..1. */
  samplerRatio: number;
  /** The batch span processor (`OTEL_BSP_*`). */
  batch: {
    scheduleDelayMs: number;
    exportTimeoutMs: number;
    maxQueueSize: number;
    maxExportBatchSize: number;
  };
  /** Prompt and completion text go into the chat spans (off unless explicitly enabled). */
  captureContent: boolean;
}

export interface TelemetryConfig {
  /** Undefined: tracing is off and nothing of the OpenTelemetry SDK is loaded. */
  traces?: TracesConfig;
}

type Str = (name: string) => string | undefined;

/**
 * OpenTelemetry tracing from the standard `OTEL_*` variables, with the meanings the
 * OpenTelemetry SDK gives them. On only when an OTLP endpoint is set
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, to which `/v1/traces` is appended, or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, used as it is), and neither `OTEL_SDK_DISABLED=true`
 * nor `OTEL_TRACES_EXPORTER=none` says otherwise. Signal-specific variables
 * (`…_TRACES_…`) win over the general ones. Unlike the SDK, which ignores a value it
 * cannot use, a bad value stops the start like any other configuration problem, but
 * only when an endpoint is set.
 */
export function loadTelemetryConfig(str: Str, problems: string[]): TelemetryConfig {
  const flag = (name: string): boolean | undefined => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return undefined;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    problems.push(`${name} must be true or false, got "${str(name)}"`);
    return undefined;
  };
  const number = (name: string, fallback: number, min: number, max: number, int = true) => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || (int && !Number.isInteger(n)) || n < min || n > max) {
      problems.push(
        `${name} must be ${int ? 'an integer' : 'a number'} between ${min} and ${max}, got "${raw}"`,
      );
      return fallback;
    }
    return n;
  };
  const signal = (name: string): [string, string | undefined] => {
    const specific = `OTEL_EXPORTER_OTLP_TRACES_${name}`;
    const value = str(specific);
    return value === undefined
      ? [`OTEL_EXPORTER_OTLP_${name}`, str(`OTEL_EXPORTER_OTLP_${name}`)]
      : [specific, value];
  };

  // Without an endpoint nothing else is read: variables meant for other processes (an
  // injected OTEL_TRACES_EXPORTER=console, say) cannot stop a gateway that does not trace.
  const endpoint = tracesEndpoint(str, problems);
  if (endpoint === undefined) return {};
  const disabled = flag('OTEL_SDK_DISABLED') === true;
  const captureContent = flag('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT') === true;
  // A comma list, as in the SDK; `none` anywhere means no exporter.
  const exporters = (str('OTEL_TRACES_EXPORTER') ?? 'otlp')
    .toLowerCase()
    .split(',')
    .map((e) => e.trim());
  if (exporters.some((e) => e !== 'otlp' && e !== 'none')) {
    problems.push(
      `OTEL_TRACES_EXPORTER must be otlp or none (no other exporter is built in), got "${str('OTEL_TRACES_EXPORTER')}"`,
    );
  }
  if (disabled || exporters.includes('none')) return {};

  const [protocolName, protocolRaw] = signal('PROTOCOL');
  let protocol: OtlpProtocol = 'http/protobuf';
  if (protocolRaw !== undefined) {
    if ((OTLP_PROTOCOLS as readonly string[]).includes(protocolRaw)) {
      protocol = protocolRaw as OtlpProtocol;
    } else {
      problems.push(
        `${protocolName} must be http/protobuf or http/json (gRPC is not built in: use the collector's OTLP/HTTP port, 4318), got "${protocolRaw}"`,
      );
    }
  }
  const [compressionName, compressionRaw] = signal('COMPRESSION');
  let compression: 'gzip' | 'none' = 'none';
  if (compressionRaw === 'gzip' || compressionRaw === 'none') compression = compressionRaw;
  else if (compressionRaw !== undefined) {
    problems.push(`${compressionName} must be gzip or none, got "${compressionRaw}"`);
  }
  const [timeoutName] = signal('TIMEOUT');
  const headers = {
    ...keyValueList('OTEL_EXPORTER_OTLP_HEADERS', str, problems),
    ...keyValueList('OTEL_EXPORTER_OTLP_TRACES_HEADERS', str, problems),
  };
  const resourceAttributes = keyValueList('OTEL_RESOURCE_ATTRIBUTES', str, problems);

  const samplerRaw = str('OTEL_TRACES_SAMPLER')?.toLowerCase();
  let sampler: TraceSampler = 'parentbased_always_on';
  if (samplerRaw !== undefined) {
    if ((TRACE_SAMPLERS as readonly string[]).includes(samplerRaw)) {
      sampler = samplerRaw as TraceSampler;
    } else {
      problems.push(
        `OTEL_TRACES_SAMPLER must be one of ${TRACE_SAMPLERS.join(', ')}, got "${str('OTEL_TRACES_SAMPLER')}"`,
      );
    }
  }

  const maxQueueSize = number('OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1, 1_000_000);
  return {
    traces: {
      endpoint,
      protocol,
      headers,
      timeoutMs: number(timeoutName, 10_000, 1, 600_000),
      compression,
      serviceName: str('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? 'tollgate',
      resourceAttributes,
      sampler,
      samplerRatio: number('OTEL_TRACES_SAMPLER_ARG', 1, 0, 1, false),
      batch: {
        scheduleDelayMs: number('OTEL_BSP_SCHEDULE_DELAY', 5_000, 0, 600_000),
        exportTimeoutMs: number('OTEL_BSP_EXPORT_TIMEOUT', 30_000, 1, 600_000),
        maxQueueSize,
        // The SDK's default (512) is capped by the queue size, as the SDK itself does.
        maxExportBatchSize: Math.min(
          number('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, 1, 1_000_000),
          maxQueueSize,
        ),
      },
      captureContent,
    },
  };
}

/** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as it is, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. */
function tracesEndpoint(str: Str, problems: string[]): string | undefined {
  const specific = str('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const general = str('OTEL_EXPORTER_OTLP_ENDPOINT');
  const [name, raw] =
    specific !== undefined
      ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific]
      : ['OTEL_EXPORTER_OTLP_ENDPOINT', general];
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${name} must be an http:// or https:// URL, got "${raw}"`);
    return undefined;
  }
  if (specific !== undefined) return url.href;
  return `${url.href.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * A `key=value,key2=value2` list (the OpenTelemetry format of `OTEL_EXPORTER_OTLP_HEADERS`
 * and `OTEL_RESOURCE_ATTRIBUTES`): keys and values are trimmed and percent-decoded.
 */
export function keyValueList(name: string, str: Str, problems: string[]): Record<string, string> {
  const raw = str(name);
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    const value = eq > 0 ? entry.slice(eq + 1).trim() : '';
    let decoded: [string, string] | undefined;
    try {
      decoded = key !== '' ? [decodeURIComponent(key), decodeURIComponent(value)] : undefined;
    } catch {
      decoded = undefined;
    }
    if (decoded === undefined) {
      // The entry itself may hold a secret (a header value): name its position only.
      problems.push(`${name} must be a list of key=value pairs separated by commas`);
      return {};
    }
    out[decoded[0]] = decoded[1];
  }
  return out;
}

import { ConfigError, loadConfig } from './config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('telemetry configuration (OTEL_*)', () => {
  it('is off without an OTLP endpoint, whatever else is set', () => {
    expect(loadConfig({}).telemetry).toEqual({});
    expect(
      loadConfig({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }).telemetry,
    ).toEqual({});
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT, with the SDK defaults', () => {
    const t = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).telemetry
      .traces;
    expect(t).toEqual({
      endpoint: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      timeoutMs: 10_000,
      compression: 'none',
      serviceName: 'tollgate',
      resourceAttributes: {},
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      batch: {
        scheduleDelayMs: 5_000,
        exportTimeoutMs: 30_000,
        maxQueueSize: 2048,
        maxExportBatchSize: 512,
      },
      captureContent: false,
    });
  });

  it('takes OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, and the signal-specific variables first', () => {
    const t = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://general:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otlp.example.com/custom/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-team=a,api-key=general',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=tr%C3%A4ces%3D1',
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2500',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    }).telemetry.traces!;
    expect(t.endpoint).toBe('https://otlp.example.com/custom/traces');
    expect(t.protocol).toBe('http/json');
    expect(t.headers).toEqual({ 'x-team': 'a', 'api-key': 'träces=1' });
    expect(t.timeoutMs).toBe(2500);
    expect(t.compression).toBe('gzip');
  });

  it('names the service, samples, batches and captures content as told', () => {
    const t = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource,deployment.environment.name=prod',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'TRUE',
    }).telemetry.traces!;
    expect(t.serviceName).toBe('from-resource');
    expect(t.resourceAttributes['deployment.environment.name']).toBe('prod');
    expect([t.sampler, t.samplerRatio]).toEqual(['parentbased_traceidratio', 0.25]);
    // The batch never exceeds the queue, as the SDK caps it.
    expect(t.batch).toMatchObject({
      scheduleDelayMs: 100,
      maxQueueSize: 100,
      maxExportBatchSize: 100,
    });
    expect(t.captureContent).toBe(true);
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_SERVICE_NAME: 'gw-eu',
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored',
      }).telemetry.traces!.serviceName,
    ).toBe('gw-eu');
  });

  it('stays off when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).telemetry).toEqual({});
    expect(loadConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).telemetry).toEqual({});
    expect(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'false' }).telemetry.traces).toBeDefined();
    expect(
      loadConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'otlp' }).telemetry.traces,
    ).toBeDefined();
  });

  it('reads nothing else without an endpoint: variables meant for other processes cannot stop it', () => {
    expect(
      loadConfig({
        OTEL_TRACES_EXPORTER: 'console',
        OTEL_SDK_DISABLED: 'maybe',
        OTEL_TRACES_SAMPLER: 'jaeger_remote',
      }).telemetry,
    ).toEqual({});
  });

  it('reports every bad value, and never a header value', () => {
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL, got "collector:4318"',
    ]);
    expect(
      problemsOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_SDK_DISABLED: 'yes',
        OTEL_TRACES_EXPORTER: 'otlp,zipkin',
      }),
    ).toEqual([
      'OTEL_SDK_DISABLED must be true or false, got "yes"',
      'OTEL_TRACES_EXPORTER must be otlp or none (no other exporter is built in), got "otlp,zipkin"',
    ]);
    const problems = problemsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%ZZsecret',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: '2',
      OTEL_BSP_SCHEDULE_DELAY: '-1',
    });
    expect(problems).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (gRPC is not built in: use the collector\'s OTLP/HTTP port, 4318), got "grpc"',
      'OTEL_EXPORTER_OTLP_HEADERS must be a list of key=value pairs separated by commas',
      'OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio, got "sometimes"',
      'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1, got "2"',
      'OTEL_BSP_SCHEDULE_DELAY must be an integer between 0 and 600000, got "-1"',
    ]);
    expect(problems.join('\n')).not.toContain('secret');
  });
});

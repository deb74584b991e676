import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CHAT_REQUEST_EXAMPLES } from '../../src/chat/dto/chat-examples.js';
import { ChatCompletionRequestDto } from '../../src/chat/dto/chat-completion-request.dto.js';
import { statusAndType } from '../../src/common/errors/error-envelope.js';
import { GatewayError } from '../../src/common/errors/gateway-error.js';
import { WIRE_CODES, type WireCodeEntry } from '../../src/common/errors/wire-codes.js';
import {
  validatorOf,
  type FastValidator,
} from '../../src/common/validation/validated-by.decorator.js';
import { API_TAGS } from '../../src/openapi/api-tags.js';
import { openApiDocumentFor } from '../../src/openapi/openapi-snapshot.js';
import { fixture, jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { api, bodyOf, sseEvents } from '../support/http.js';
import { expectStreamConforms } from '../support/openapi-conformance.js';
import { sseFrames, StandInUpstream } from '../support/stand-in-upstream.js';

const root = join(import.meta.dirname, '..', '..');
const silent = new Writable({ write: (_c, _e, cb) => cb() });

const doc: any = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8'));
const schemas: Record<string, any> = doc.components.schemas;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operations: Array<{ method: string; path: string; op: any }> = Object.entries(
  doc.paths as Record<string, Record<string, any>>,
).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] })),
);

/**
 * The admin API's controllers and DTOs carry their part of the documentation (tags, doc
 * comments, error scopes, exported query DTOs). Checks on them run apart, as `failing`
 * until all of it is there: a passing one says so, and becomes an ordinary test.
 */
const isAdmin = (path: string): boolean => path.startsWith('/admin/');
const gateway = operations.filter((o) => !isAdmin(o.path));
const admin = operations.filter((o) => isAdmin(o.path));

/** What is wrong with an operation's own documentation; empty when nothing is. */
function operationProblems({ method, path, op }: (typeof operations)[number]): string[] {
  const at = `${method.toUpperCase()} ${path}`;
  const problems: string[] = [];
  const summary: unknown = op.summary;
  if (typeof summary !== 'string' || summary.length === 0) problems.push(`${at}: no summary`);
  else if (summary.length > 80 || summary.includes('\n') || summary.endsWith('.'))
    problems.push(`${at}: summary is not one short line: ${summary}`);
  if (typeof op.description !== 'string' || op.description.length === 0)
    problems.push(`${at}: no description`);
  const tags = Object.values(API_TAGS) as string[];
  if (op.tags?.length !== 1 || !tags.includes(op.tags[0]))
    problems.push(`${at}: tags ${JSON.stringify(op.tags)} are not one of ${tags.join(', ')}`);
  for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
    if (Number(status) < 400) continue;
    const media = response.content?.['application/json'];
    const refs = media?.schema?.$ref
      ? [media.schema.$ref]
      : media?.schema?.oneOf?.map((s: any) => s.$ref);
    if (!refs?.includes('#/components/schemas/ErrorEnvelope'))
      problems.push(`${at} ${status}: not the ErrorEnvelope schema`);
    if (path === '/ready') continue;
    const examples = Object.values((media?.examples ?? {}) as Record<string, any>);
    if (examples.length === 0) problems.push(`${at} ${status}: no error codes listed`);
    for (const { value } of examples) {
      const e = value.error;
      const known = (WIRE_CODES as readonly WireCodeEntry[]).filter((w) => w.code === e.code);
      const fits = known.some((w) => {
        const wire = statusAndType(new GatewayError(w.error, '', { status: w.status }));
        return wire.status === Number(status) && wire.type === e.type;
      });
      if (!fits) problems.push(`${at} ${status}: ${e.code} is not a ${status} code`);
      if (!response.description.includes(`\`${e.code}\``))
        problems.push(`${at} ${status}: the description does not list ${e.code}`);
    }
  }
  if (op.security?.length > 0 && !op.responses['401'])
    problems.push(`${at}: needs a key but documents no 401`);
  return problems;
}

/** Codes of these scopes that no operation among `ops` lists. */
function undocumentedCodes(ops: typeof operations, scopes: string[]): string[] {
  const documented = new Set(
    ops.flatMap(({ op }) =>
      Object.values(op.responses as Record<string, any>).flatMap((r) =>
        Object.values(r.content?.['application/json']?.examples ?? {}).map(
          (e: any) => e.value.error.code,
        ),
      ),
    ),
  );
  return (WIRE_CODES as readonly WireCodeEntry[])
    .filter((w) => w.scopes.some((s) => scopes.includes(s)) && !documented.has(w.code))
    .map((w) => w.code);
}

describe('OpenAPI document', () => {
  it('committed openapi.json matches the document generated from the code (run `npm run openapi`)', async () => {
    const generated = JSON.parse(JSON.stringify(await openApiDocumentFor(silent)));
    expect(generated).toEqual(doc);
  });

  describe('content', () => {
    const props = (name: string) => Object.keys(schemas[name].properties);

    it("documents every field of the seed's chat request, response and usage", () => {
      expect(props('ChatCompletionRequest')).toEqual(
        expect.arrayContaining([
          'model',
          'messages',
          'max_tokens',
          'temperature',
          'stream',
          'stream_options',
          'tools',
          'tool_choice',
          'parallel_tool_calls',
          'reasoning',
          'provider',
        ]),
      );
      expect(props('ChatMessage')).toEqual(
        expect.arrayContaining(['content', 'role', 'tool_call_id', 'tool_calls']),
      );
      expect(props('StreamOptions')).toEqual(['include_usage']);
      expect(props('Reasoning')).toEqual(['effort']);
      expect(props('ChatCompletionResponse')).toEqual(
        expect.arrayContaining([
          'id',
          'object',
          'created',
          'model',
          'provider',
          'system_fingerprint',
          'choices',
          'usage',
        ]),
      );
      expect(props('Choice')).toEqual(
        expect.arrayContaining(['index', 'message', 'finish_reason', 'logprobs']),
      );
      expect(props('ResponseMessage')).toEqual(
        expect.arrayContaining(['content', 'role', 'tool_calls']),
      );
      expect(props('ResponseToolCall')).toEqual(expect.arrayContaining(['function', 'id', 'type']));
      expect(props('Usage')).toEqual(
        expect.arrayContaining([
          'prompt_tokens',
          'completion_tokens',
          'total_tokens',
          'prompt_tokens_details',
          'completion_tokens_details',
          'raw_usage',
        ]),
      );
      expect(props('PromptTokensDetails')).toEqual(
        expect.arrayContaining(['cached_tokens', 'audio_tokens', 'text_tokens', 'image_tokens']),
      );
      expect(props('CompletionTokensDetails')).toEqual(
        expect.arrayContaining([
          'reasoning_tokens',
          'audio_tokens',
          'accepted_prediction_tokens',
          'rejected_prediction_tokens',
        ]),
      );
    });

    it('names schemas without a Dto suffix, references included', () => {
      expect(Object.keys(schemas).filter((n) => n.endsWith('Dto'))).toEqual([]);
      const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
      expect(refs.map((r) => r.split('/').at(-1)).filter((n) => !(n! in schemas))).toEqual([]);
    });

    const COUNTS =
      /^(index|created|n|seed|top_logprobs|total|requests|attempts|status_code|queue|dead_letters|\w+_tokens|\w+_requests)$/;
    const ADMIN_SCHEMA =
      /^(Usage(Entry|Log|Summary\w*)|Team\w*|Key\w*|CreatedKey|Create\w*|Update\w*)$/;
    /** Properties that count things and are not typed `integer`. */
    const countsNotIntegers = (names: string[]): string[] =>
      names.flatMap((name) =>
        Object.entries((schemas[name].properties ?? {}) as Record<string, any>)
          .filter(([prop, p]) => COUNTS.test(prop) && p.type !== 'integer')
          .map(([prop, p]) => `${name}.${prop}: ${p.type}`),
      );

    it('types counts as integers', () => {
      expect(countsNotIntegers(Object.keys(schemas).filter((n) => !ADMIN_SCHEMA.test(n)))).toEqual(
        [],
      );
      expect(schemas.Usage.properties.prompt_tokens.type).toBe('integer');
      expect(schemas.ChatCompletionRequest.properties.max_tokens.type).toBe('integer');
    });

    it('types the admin counts as integers', () => {
      expect(countsNotIntegers(Object.keys(schemas).filter((n) => ADMIN_SCHEMA.test(n)))).toEqual(
        [],
      );
    });

    it('types message content as string or parts; answers carry output parts only', () => {
      const request = schemas.ChatMessage.properties.content;
      const response = schemas.ResponseMessage.properties.content;
      for (const schema of [request, response]) {
        expect(schema.oneOf[0]).toEqual({ type: 'string', nullable: true });
        expect(schema.oneOf[1].type).toBe('array');
        expect(schema.nullable).toBeUndefined();
      }
      const parts = (s: any) => s.oneOf[1].items.oneOf.map((r: any) => r.$ref.split('/').at(-1));
      expect(parts(request)).toEqual([
        'TextPart',
        'ImageUrlPart',
        'InputAudioPart',
        'FilePart',
        'RefusalPart',
      ]);
      expect(parts(response)).toEqual(['TextPart', 'RefusalPart']);
    });

    it('documents the stream as text/event-stream of chunks', () => {
      const ok = doc.paths['/v1/chat/completions'].post.responses['200'];
      expect(ok.content['text/event-stream'].schema).toEqual({
        $ref: '#/components/schemas/ChatCompletionChunk',
      });
      expect(ok.content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/ChatCompletionResponse',
      });
      expect(ok.description).toContain('[DONE]');
      expect(Object.keys(ok.headers)).toEqual(['x-request-id', 'x-tollgate-overhead-ms']);
    });

    it('uses http bearer, without a JWT claim, on every route but the probes', () => {
      expect(doc.components.securitySchemes).toEqual({
        bearer: { type: 'http', scheme: 'bearer', description: expect.any(String) },
      });
      const open = operations.filter((o) => o.op.security.length === 0).map((o) => o.path);
      expect(open).toEqual(['/health', '/ready']);
      for (const { op } of operations.filter((o) => o.op.security.length > 0)) {
        expect(op.security).toEqual([{ bearer: [] }]);
      }
    });

    it('lists the tags in reading order, each described', () => {
      expect(doc.tags.map((t: any) => t.name)).toEqual([
        'chat',
        'models',
        'admin: keys',
        'admin: teams',
        'admin: usage',
        'ops',
      ]);
      for (const tag of doc.tags) expect(tag.description).toEqual(expect.any(String));
      expect(doc.info).toMatchObject({ title: 'Tollgate', version: expect.any(String) });
      expect(doc.info.description).toContain('curl http://localhost:8080/v1/chat/completions');
    });

    it('gives every gateway operation a summary, a description, a tag and its error codes', () => {
      expect(gateway.flatMap(operationProblems)).toEqual([]);
    });

    it('gives every admin operation the same', () => {
      expect(admin.flatMap(operationProblems)).toEqual([]);
    });

    it('lists per status the codes the code base sends with it', () => {
      const codes = (path: string, method: string, status: number): string[] =>
        Object.keys(doc.paths[path][method].responses[status].content['application/json'].examples);
      const chat = (status: number) => codes('/v1/chat/completions', 'post', status);
      expect(chat(401)).toEqual(
        expect.arrayContaining([
          'missing_api_key',
          'invalid_api_key',
          'upstream_authentication_error',
        ]),
      );
      expect(chat(403)).toEqual(['model_not_allowed', 'model_unpriced']);
      expect(chat(404)).toEqual(['model_not_found']);
      expect(chat(429)).toEqual(['rate_limit_exceeded', 'insufficient_quota']);
      expect(chat(400)).toEqual(
        expect.arrayContaining([
          'invalid_json',
          'invalid_value',
          'model_ambiguous',
          'content_filter',
        ]),
      );
      expect(chat(503)).toEqual(
        expect.arrayContaining(['no_target_available', 'overloaded', 'service_unavailable']),
      );
      expect(codes('/v1/models/{id}', 'get', 404)).toEqual(['model_not_found']);
      expect(codes('/metrics', 'get', 403)).toEqual(['master_key_required']);
      expect(doc.paths['/v1/models'].get.responses['403']).toBeUndefined();
      expect(
        undocumentedCodes(gateway, ['request', 'auth', 'master', 'chat', 'models', 'any']),
      ).toEqual([]);
    });

    it('lists on the admin routes every admin code', () => {
      expect(
        undocumentedCodes(admin, ['fields', 'key', 'team', 'team-ref', 'team-delete']),
      ).toEqual([]);
    });

    it('documents the admin query parameters', () => {
      const params = (path: string) =>
        (doc.paths[path].get.parameters ?? []).map((p: any) => p.name).sort();
      expect(params('/admin/keys')).toEqual(['limit', 'offset']);
      expect(params('/admin/teams')).toEqual(['limit', 'offset']);
      expect(params('/admin/usage/log')).toEqual(
        [
          'from',
          'key_id',
          'limit',
          'model',
          'offset',
          'provider',
          'request_id',
          'team_id',
          'to',
          'trace_id',
        ].sort(),
      );
      expect(params('/admin/usage/summary')).toEqual(
        expect.arrayContaining([
          'from',
          'group_by',
          'key_id',
          'model',
          'provider',
          'request_id',
          'team_id',
          'to',
          'trace_id',
        ]),
      );
    });
  });

  describe('chat request examples', () => {
    let validate: FastValidator;
    beforeAll(async () => {
      validate = await (validatorOf(ChatCompletionRequestDto) as Promise<FastValidator>);
    });

    it('are the documented ones, named', () => {
      const examples =
        doc.paths['/v1/chat/completions'].post.requestBody.content['application/json'].examples;
      expect(Object.keys(examples)).toEqual([
        'plain',
        'streaming',
        'tools',
        'provider_hint',
        'reasoning',
      ]);
      expect(examples).toEqual(JSON.parse(JSON.stringify(CHAT_REQUEST_EXAMPLES)));
      expect(examples.streaming.value.stream_options).toEqual({ include_usage: true });
      expect(examples.provider_hint.value.provider).toBe('openai');
      expect(examples.reasoning.value.reasoning).toEqual({ effort: 'low' });
      expect(examples.tools.value.tools).toHaveLength(1);
    });

    it.each(Object.entries(CHAT_REQUEST_EXAMPLES))('%s passes the request validator', (_n, ex) => {
      expect(validate(structuredClone(ex.value))).toBeNull();
    });
  });
});

describe('GET /docs and /openapi.json', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway({});
  });
  afterAll(() => gw.close());

  it('serves Swagger UI and the document without auth', async () => {
    const page = await fetch(`${gw.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    const json = await fetch(`${gw.url}/openapi.json`);
    expect(json.status).toBe(200);
    expect(await bodyOf(json)).toEqual(doc);
  });

  it('answers without a key with 401 exactly where the document asks for bearer auth', async () => {
    const seen: string[] = [];
    for (const { method, path, op } of operations) {
      const url = path.replace(/\{[^}]+\}/g, 'x');
      const res = await fetch(`${gw.url}${url}`, { method: method.toUpperCase() });
      await res.arrayBuffer();
      seen.push(`${method} ${path} ${op.security.length > 0 ? 'key' : 'open'}`);
      expect({ method, path, status: res.status === 401 ? 401 : 'not 401' }).toEqual({
        method,
        path,
        status: op.security.length > 0 ? 401 : 'not 401',
      });
    }
    expect(seen).toContain('get /health open');
    expect(seen).toContain('post /v1/chat/completions key');
  });
});

describe('the chat examples against configured providers', () => {
  let upstream: StandInUpstream;
  let gw: RunningGateway;
  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    upstream.on('POST', '/v1/chat/completions', (req) =>
      req.body.stream
        ? { frames: sseFrames(fixture('openai/chat-stream-text-usage.sse')) }
        : req.body.tools
          ? { json: jsonFixture('openai/chat-completion-tool-calls.json') }
          : { json: jsonFixture('openai/chat-completion.json') },
    );
    upstream.on('POST', '/v1/messages', {
      json: jsonFixture('anthropic/message-extended-thinking.json'),
    });
    gw = await startGateway({
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: upstream.url,
      ANTHROPIC_MODELS: 'claude-sonnet-4-5',
    });
  });
  afterAll(async () => {
    await gw?.close();
    await upstream?.stop();
  });

  const { streaming, ...json } = CHAT_REQUEST_EXAMPLES;

  it.each(Object.entries(json))('%s answers 200 with a documented completion', async (_n, ex) => {
    const res = await api(gw, MASTER_KEY).call('POST', '/v1/chat/completions', ex.value);
    expect(res.status).toBe(200);
    expect(res.body.object).toBe('chat.completion');
    expect(res.body.provider).toBe(
      ex.value.model.split('/')[0] === 'anthropic' ? 'anthropic' : 'openai',
    );
  });

  it('streaming answers an event stream of chunks, the usage chunk and [DONE]', async () => {
    const res = await api(gw, MASTER_KEY).chat(streaming.value);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = sseEvents(await res.text());
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.at(-2)).toMatchObject({
      choices: [],
      usage: { total_tokens: expect.any(Number) },
    });
    expectStreamConforms(events);
  });

  it('the reasoning example reaches the provider as a thinking budget', () => {
    const sent = upstream.requests.find((r) => r.path === '/v1/messages');
    expect(sent?.body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
  });
});

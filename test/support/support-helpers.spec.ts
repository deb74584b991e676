import { sseEvents } from './http.js';
import {
  CHUNK_SCHEMA,
  documentedSchema,
  fromOpenApi30,
  schemaViolations,
} from './openapi-conformance.js';

/** The helpers the e2e suites lean on must be able to fail. */
describe('openapi conformance helper', () => {
  const completion = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    provider: 'openai',
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        message: { role: 'assistant', content: 'hi' },
      },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };

  it('accepts a conforming completion, extra upstream fields included', () => {
    expect(schemaViolations('ChatCompletionResponse', completion)).toEqual([]);
    expect(
      schemaViolations('ChatCompletionResponse', { ...completion, service_tier: 'default' }),
    ).toEqual([]);
  });

  it('closed: refuses a field the schema does not name, except where it allows any', () => {
    const extra = { ...completion, service_tier: 'default' };
    expect(schemaViolations('ChatCompletionResponse', extra, { closed: true })).toEqual([
      '/ must NOT have additional properties {"additionalProperty":"service_tier"}',
    ]);
    const rawUsage = { ...completion, usage: { ...completion.usage, raw_usage: { any: 1 } } };
    expect(schemaViolations('ChatCompletionResponse', rawUsage, { closed: true })).toEqual([]);
  });

  it('reports a missing required field, a wrong type and a value outside an enum', () => {
    const { provider: _p, ...noProvider } = completion;
    expect(schemaViolations('ChatCompletionResponse', noProvider).join()).toContain(
      "must have required property 'provider'",
    );
    expect(
      schemaViolations('ChatCompletionResponse', { ...completion, created: '1' }).join(),
    ).toContain('/created must be integer');
    const badReason = structuredClone(completion);
    badReason.choices[0].finish_reason = 'done';
    expect(schemaViolations('ChatCompletionResponse', badReason).join()).toContain(
      '/choices/0/finish_reason must be equal to one of the allowed values',
    );
  });

  it('follows $refs into the components (usage inside the completion)', () => {
    expect(
      schemaViolations('ChatCompletionResponse', {
        ...completion,
        usage: { prompt_tokens: 1, completion_tokens: 1 },
      }).join(),
    ).toContain("/usage must have required property 'total_tokens'");
  });

  it('takes null only where the document says nullable', () => {
    const toolOnly = structuredClone(completion) as any;
    toolOnly.choices[0].message.content = null;
    toolOnly.choices[0].finish_reason = null;
    expect(schemaViolations('ChatCompletionResponse', toolOnly)).toEqual([]);
    expect(schemaViolations('ChatCompletionResponse', { ...completion, model: null })).not.toEqual(
      [],
    );
    const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [] };
    expect(schemaViolations(CHUNK_SCHEMA, { ...chunk, usage: null })).toEqual([]);
    expect(schemaViolations(CHUNK_SCHEMA, { ...chunk, usage: { prompt_tokens: 1 } })).not.toEqual(
      [],
    );
  });

  it('rewrites nullable the JSON Schema way', () => {
    expect(fromOpenApi30({ type: 'string', nullable: true, enum: ['a'] })).toEqual({
      type: ['string', 'null'],
      enum: ['a', null],
    });
    expect(fromOpenApi30({ nullable: true, allOf: [{ $ref: '#/x' }] })).toEqual({
      anyOf: [{ type: 'null' }, { allOf: [{ $ref: '#/x' }] }],
    });
    expect(fromOpenApi30({ properties: { nullable: { type: 'boolean' } } })).toEqual({
      properties: { nullable: { type: 'boolean' } },
    });
  });

  it('finds the documented schema by method, concrete path and status', () => {
    expect(documentedSchema('GET', '/v1/models/openai%2Fgpt-4o', 200)).toBe('Model');
    expect(documentedSchema('GET', '/admin/usage/log?limit=5', 200)).toBe('UsageLog');
    expect(documentedSchema('DELETE', '/admin/keys/key_1', 404)).toBe('ErrorEnvelope');
    expect(documentedSchema('GET', '/v1/nothing', 200)).toBeUndefined();
    expect(CHUNK_SCHEMA).toBe('ChatCompletionChunk');
  });

  it('throws for a schema the document does not have', () => {
    expect(() => schemaViolations('NoSuchDto', {})).toThrow('openapi.json has no schema named');
  });
});

describe('sseEvents', () => {
  it('parses data events in order, keeps [DONE], skips comments and event names', () => {
    const text =
      ': keep-alive\n\n' +
      'data: {"a":1}\n\n' +
      'event: message\ndata: {"b":\ndata: 2}\n\n' +
      'data:{"c":3}\r\n\r\n' +
      'data: [DONE]\n\n';
    expect(sseEvents(text)).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }, '[DONE]']);
  });

  it('throws on a data event that is not JSON', () => {
    expect(() => sseEvents('data: {"id": nope\n\n')).toThrow(SyntaxError);
  });
});

import type { OpenAPIObject } from '@nestjs/swagger';
import {
  errorCodesByStatus,
  moveNullableIntoForms,
  polishDocument,
  renameSchemas,
  splitFirstSentence,
} from './polish-document.js';

const docWith = (paths: OpenAPIObject['paths'], schemas = {}): OpenAPIObject => ({
  openapi: '3.0.0',
  info: { title: 't', version: '1' },
  paths,
  components: { schemas },
});

describe('splitFirstSentence', () => {
  it.each([
    ['Lists the models.\n\nEvery model, as ids.', 'Lists the models', 'Every model, as ids.'],
    ['Readiness.\n\n200 when ready.', 'Readiness', '200 when ready.'],
    [
      'Creates a key. The key (`tg-…`) is shown once.',
      'Creates a key',
      'The key (`tg-…`) is shown once.',
    ],
    ['One key; never its secret.', 'One key; never its secret', ''],
    ['Uses e.g. openai, then more.', 'Uses e.g. openai, then more', ''],
    [
      'A first line that wraps\nonto a second. Then more.',
      'A first line that wraps onto a second',
      'Then more.',
    ],
  ])('%j', (text, first, rest) => {
    expect(splitFirstSentence(text)).toEqual({ first, rest });
  });
});

describe('moveNullableIntoForms', () => {
  it('moves nullable into the first typed form only, so null fits one form of a oneOf', () => {
    const s = {
      nullable: true,
      oneOf: [{ $ref: '#/x' }, { type: 'string', enum: ['a'] }, { type: 'array' }],
    };
    moveNullableIntoForms(s);
    expect(s).toEqual({
      oneOf: [
        { $ref: '#/x' },
        { type: 'string', enum: ['a', null], nullable: true },
        { type: 'array' },
      ],
    });
  });

  it('leaves a choice of references alone, and nullable beside a type', () => {
    const refs = { nullable: true, oneOf: [{ $ref: '#/a' }, { $ref: '#/b' }] };
    const typed = { nullable: true, type: 'string' };
    moveNullableIntoForms(refs);
    moveNullableIntoForms(typed);
    expect(refs.nullable).toBe(true);
    expect(typed).toEqual({ nullable: true, type: 'string' });
  });
});

describe('renameSchemas', () => {
  it('renames schemas, references and discriminator mappings', () => {
    const doc = docWith(
      {
        '/x': {
          get: {
            responses: {
              200: {
                description: 'OK',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/ADto' } } },
              },
            },
          },
        },
      },
      {
        ADto: {
          oneOf: [{ $ref: '#/components/schemas/BDto' }],
          discriminator: { propertyName: 't', mapping: { b: '#/components/schemas/BDto' } },
        },
        BDto: { type: 'object' },
      },
    );
    const out = renameSchemas(doc, (n) => n.replace(/Dto$/, ''));
    expect(Object.keys(out.components!.schemas!)).toEqual(['A', 'B']);
    expect(JSON.stringify(out)).not.toContain('Dto');
  });

  it('refuses two schemas that would get one name', () => {
    expect(() =>
      renameSchemas(docWith({}, { ADto: {}, A: {} }), (n) => n.replace(/Dto$/, '')),
    ).toThrow('two schemas would be named A');
  });
});

describe('polishDocument', () => {
  it('writes summary, description, security and the error responses of the scopes', () => {
    const doc = docWith({
      '/v1/models/{id}': {
        get: {
          summary: '',
          description: 'Retrieves one model.\n\nBy its id.',
          security: [{ bearer: [] }],
          responses: { 200: { description: '' } },
          'x-tollgate-errors-models': true,
          'x-tollgate-errors-any': true,
        } as never,
      },
      '/health': { get: { description: 'Liveness.', responses: { 200: { description: '' } } } },
    });
    const out = polishDocument(doc, 'ErrorEnvelope');
    const get = out.paths['/v1/models/{id}'].get!;
    expect(get).toMatchObject({ summary: 'Retrieves one model', description: 'By its id.' });
    expect(Object.keys(get.responses)).toEqual(['200', '404', '500', '503']);
    expect(JSON.stringify(get)).not.toContain('x-tollgate');
    expect(get.responses['200']).toEqual({ description: 'OK' });
    expect(get.responses['404']).toMatchObject({
      description: expect.stringContaining('`model_not_found`'),
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/ErrorEnvelope' },
          examples: {
            model_not_found: {
              value: {
                error: { type: 'invalid_request_error', param: 'model', code: 'model_not_found' },
              },
            },
          },
        },
      },
    });
    expect(out.paths['/health'].get).toMatchObject({
      summary: 'Liveness',
      description: 'Liveness.',
      security: [],
    });
  });

  it('groups codes by the status statusAndType gives them', () => {
    const chat = errorCodesByStatus(new Set(['chat']));
    expect(chat.get(429)?.map((e) => e.code)).toEqual([
      'rate_limit_exceeded',
      'insufficient_quota',
    ]);
    expect(chat.get(429)?.map((e) => e.type)).toEqual(['rate_limit_error', 'insufficient_quota']);
    const deleteTeam = errorCodesByStatus(new Set(['team', 'team-delete']));
    expect([...deleteTeam.keys()]).toEqual([404, 409]);
    expect(deleteTeam.get(409)?.map((e) => e.code)).toEqual(['team_not_empty']);
    const createKey = errorCodesByStatus(new Set(['fields', 'team-ref']));
    expect([...createKey.keys()]).toEqual([400]);
    expect(createKey.get(400)?.map((e) => e.code)).toEqual([
      'invalid_value',
      'unknown_parameter',
      'team_not_found',
    ]);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openApiDocumentFor } from '../../src/openapi/openapi-snapshot.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { api, bodyOf } from '../support/http.js';

const root = join(import.meta.dirname, '..', '..');
const silent = new Writable({ write: (_c, _e, cb) => cb() });

describe('OpenAPI document', () => {
  it('committed openapi.json matches the document generated from the code (run `npm run openapi`)', async () => {
    const generated = JSON.parse(JSON.stringify(await openApiDocumentFor(silent)));
    const committed = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8'));
    expect(generated).toEqual(committed);
  });

  describe('content', () => {
    const doc = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8'));
    const schemas = doc.components.schemas;

    it('documents every field of the chat request, response and usage contract', () => {
      const props = (name: string) => Object.keys(schemas[name].properties);
      expect(props('ChatCompletionRequestDto')).toEqual(
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
      expect(props('ChatCompletionResponseDto')).toEqual(
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
      expect(props('UsageDto')).toEqual(
        expect.arrayContaining([
          'prompt_tokens',
          'completion_tokens',
          'total_tokens',
          'prompt_tokens_details',
          'completion_tokens_details',
          'raw_usage',
        ]),
      );
      expect(props('ChoiceDto')).toEqual(
        expect.arrayContaining(['index', 'message', 'finish_reason', 'logprobs']),
      );
      expect(props('PromptTokensDetailsDto')).toEqual(
        expect.arrayContaining(['cached_tokens', 'audio_tokens', 'text_tokens', 'image_tokens']),
      );
      expect(props('CompletionTokensDetailsDto')).toEqual(
        expect.arrayContaining([
          'reasoning_tokens',
          'audio_tokens',
          'accepted_prediction_tokens',
          'rejected_prediction_tokens',
        ]),
      );
    });

    it('types message content as string or parts, in requests and responses', () => {
      for (const schema of [
        schemas.ChatMessageDto.properties.content,
        schemas.ResponseMessageDto.properties.content,
      ]) {
        expect(schema.oneOf[0]).toEqual({ type: 'string' });
        expect(schema.oneOf[1].type).toBe('array');
      }
    });

    it('documents the streaming response as text/event-stream and bearer auth on the chat route', () => {
      const op = doc.paths['/v1/chat/completions'].post;
      expect(Object.keys(op.responses['200'].content)).toEqual([
        'application/json',
        'text/event-stream',
      ]);
      expect(op.security).toEqual([{ bearer: [] }]);
      expect(doc.components.securitySchemes.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
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
    expect(await bodyOf(json)).toEqual(
      JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8')),
    );
  });

  it('lets "try it out" call the API with the bearer token it was given', async () => {
    // Swagger UI sends the Authorize token as a bearer header, from the same origin.
    const res = await api(gw).call('GET', '/v1/models');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: 'list', data: [] });
  });
});

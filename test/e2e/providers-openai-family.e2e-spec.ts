import OpenAI from 'openai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonFixture } from '../support/fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { api } from '../support/http.js';
import { StandInUpstream } from '../support/stand-in-upstream.js';

describe('OpenAI-family provider instances: Azure, keyless servers, named instances, discovery', () => {
  let upstream: StandInUpstream;
  let gw: RunningGateway;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    upstream.on('GET', '/v1/models', { json: jsonFixture('openai/models.json') });
    const dir = mkdtempSync(join(tmpdir(), 'tg-yaml-'));
    const file = join(dir, 'tollgate.yaml');
    writeFileSync(
      file,
      [
        'providers:',
        '  openai-team-b:',
        '    type: openai',
        '    api_key: ${TEAM_B_KEY}',
        `    base_url: ${upstream.url}/team-b/v1`,
        '    models: [gpt-4o-mini]',
        '    headers: { X-Team: platform }',
        'aliases:',
        '  cheap: openai-team-b/gpt-4o-mini',
      ].join('\n'),
    );
    gw = await startGateway({
      TOLLGATE_CONFIG: file,
      TEAM_B_KEY: 'sk-team-b-000000000000',
      OPENAI_API_KEY: 'sk-team-a-000000000000',
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      AZURE_API_KEY: 'azure-key-000000000000',
      AZURE_BASE_URL: `${upstream.url}/openai/deployments/prod-4o`,
      AZURE_MODELS: 'prod-4o',
      OLLAMA_BASE_URL: `${upstream.url}/ollama/v1`,
      OLLAMA_MODELS: 'llama3.2',
    });
    client = new OpenAI({ apiKey: MASTER_KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });
  afterEach(() => {
    upstream.requests.length = 0;
  });
  afterAll(async () => {
    await gw.close();
    await upstream.stop();
  });

  const ask = (model: string) => {
    upstream.enqueue({ json: jsonFixture('openai/chat-completion.json') });
    return client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
  };

  it('discovers models from GET {base}/models when no list is configured', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'openai/gpt-4o-mini',
        'openai/gpt-4o',
        'openai/o3-mini',
        'azure/prod-4o',
        'ollama/llama3.2',
        'openai-team-b/gpt-4o-mini',
      ]),
    );
    const one = await client.models.retrieve('openai/o3-mini');
    expect(one).toMatchObject({ id: 'openai/o3-mini', object: 'model', owned_by: 'openai' });
    await expect(client.models.retrieve('openai/nope')).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    // The slash in a model id works escaped (as the SDK sends it) and as it is.
    for (const path of ['openai%2Fo3-mini', 'openai/o3-mini', 'openai/o3-mini/']) {
      const res = await api(gw).call('GET', `/v1/models/${path}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: 'openai/o3-mini' });
    }
    expect((await api(gw).call('GET', '/v1/models/openai%2Fnope')).status).toBe(404);
    const listed = await api(gw).call('GET', '/v1/models');
    expect(listed.body.data.map((m: { id: string }) => m.id)).toEqual(ids);
  });

  it('calls Azure with api-key and api-version', async () => {
    const res = await ask('azure/prod-4o');
    expect((res as unknown as { provider: string }).provider).toBe('azure');
    const sent = upstream.lastRequest();
    expect(sent.path).toBe('/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21');
    expect(sent.headers['api-key']).toBe('azure-key-000000000000');
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('calls a keyless local server without any credential', async () => {
    await ask('ollama/llama3.2');
    const sent = upstream.lastRequest();
    expect(sent.path).toBe('/ollama/v1/chat/completions');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body.model).toBe('llama3.2');
  });

  it('keeps two instances of one type apart, with their own keys and headers, via an alias', async () => {
    const res = await ask('cheap');
    expect((res as unknown as { provider: string }).provider).toBe('openai-team-b');
    const sent = upstream.lastRequest();
    expect(sent.path).toBe('/team-b/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-team-b-000000000000');
    expect(sent.headers['x-team']).toBe('platform');
    await ask('openai/gpt-4o-mini');
    expect(upstream.lastRequest().headers.authorization).toBe('Bearer sk-team-a-000000000000');
  });
});

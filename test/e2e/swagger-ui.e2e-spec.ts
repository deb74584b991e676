import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { fixture, jsonFixture } from '../support/fixtures.js';
import { CHROMIUM_ARGS, chromiumPath } from '../support/external-browser.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { sseEvents } from '../support/http.js';
import { sseFrames, StandInUpstream } from '../support/stand-in-upstream.js';

const executablePath = chromiumPath();
if (!executablePath) {
  if (process.env.CI === 'true')
    throw new Error('CI=true but no Chromium found for the Swagger UI test (set CHROMIUM_PATH)');
  console.warn(
    'SKIPPED: Swagger UI browser test (no Chromium; install Debian chromium or set CHROMIUM_PATH)',
  );
}
const describeWithBrowser = executablePath ? describe : describe.skip;

describeWithBrowser('Swagger UI at /docs, in a real browser', () => {
  let upstream: StandInUpstream;
  let gw: RunningGateway;
  let browser: Browser;
  let page: Page;
  /** Every URL the page asked for. */
  let requested: string[];

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    upstream.on('GET', '/v1/models', { json: jsonFixture('openai/models.json') });
    upstream.on('POST', '/v1/chat/completions', (req) =>
      req.body.stream
        ? { frames: sseFrames(fixture('openai/chat-stream-text-usage.sse')) }
        : { json: jsonFixture('openai/chat-completion.json') },
    );
    gw = await startGateway({ OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: `${upstream.url}/v1` });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  }, 60_000);
  beforeEach(async () => {
    page = await browser.newPage();
    requested = [];
    page.on('request', (req) => requested.push(req.url()));
    await page.goto(`${gw.url}/docs`);
    await page.waitForSelector('#operations-models-Models_list');
  });
  afterEach(() => page.close());
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await upstream?.stop();
  });

  const operation = (tag: string, id: string): Locator =>
    page.locator(`[id="operations-${tag}-${id}"]`);

  /** Opens an operation (unless open) and presses Execute; its live status and body. */
  async function execute(op: Locator): Promise<{ status: string; body: string }> {
    if (!(await op.evaluate((el) => el.classList.contains('is-open')))) {
      await op.locator('.opblock-summary').click();
    }
    // Try-out is on by default (swaggerOptions.tryItOutEnabled), so Execute is there.
    await op.locator('.execute').click();
    // The live table's header row has a response-col_status cell too: take the data row.
    const status = op.locator('.live-responses-table tr.response .response-col_status').first();
    await status.waitFor();
    const body = await op
      .locator('.live-responses-table .response-col_description pre')
      .first()
      .innerText();
    return { status: (await status.innerText()).trim(), body };
  }

  async function authorize(): Promise<void> {
    await page.click('.btn.authorize');
    await page.fill('.auth-container input', MASTER_KEY);
    await page.click('.auth-btn-wrapper .modal-btn.authorize');
    await page.click('.auth-btn-wrapper .btn-done');
  }

  it("shows the gateway's name, version and an introduction with a curl example, all served locally", async () => {
    await expect(page.locator('.info .title').innerText()).resolves.toMatch(/^Tollgate\s+0\.1\.0/);
    await expect(page.locator('.info .description').innerText()).resolves.toContain(
      'curl http://localhost:8080/v1/chat/completions',
    );
    await expect(page.title()).resolves.toBe('Tollgate 0.1.0 API');
    const origin = new URL(gw.url).origin;
    expect(requested.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([]);
    expect(requested).toContain(`${gw.url}/docs/swagger-ui-bundle.js`);
  });

  it('groups the operations by tag, in reading order', async () => {
    const tags = await page
      .locator('.opblock-tag')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-tag') ?? ''));
    const known = ['chat', 'models', 'admin: keys', 'admin: teams', 'admin: usage', 'ops'];
    expect(tags.filter((t) => known.includes(t))).toEqual(known.filter((t) => tags.includes(t)));
    expect(tags.slice(0, 2)).toEqual(['chat', 'models']);
    expect(tags).toContain('ops');
  });

  it('"Try it out" without authorizing gets the 401 envelope', async () => {
    const { status, body } = await execute(operation('models', 'Models_list'));
    expect(status).toBe('401');
    expect(JSON.parse(body)).toMatchObject({
      error: { type: 'authentication_error', code: 'missing_api_key', param: null },
    });
  });

  it('"Authorize" takes the bearer token, keeps it across a reload, and "Try it out" lists the models', async () => {
    await authorize();
    await page.reload();
    await page.waitForSelector('#operations-models-Models_list');
    await page.waitForSelector('.btn.authorize.locked');
    const { status, body } = await execute(operation('models', 'Models_list'));
    expect(status).toBe('200');
    expect(body).toContain('openai/gpt-4o-mini');
    // displayRequestDuration
    await expect(
      operation('models', 'Models_list').getByRole('heading', { name: 'Request duration' }).count(),
    ).resolves.toBe(1);
  });

  it('runs the chat example and shows the completion', async () => {
    await authorize();
    const { status, body } = await execute(operation('chat', 'Chat_create'));
    expect(status).toBe('200');
    expect(JSON.parse(body)).toMatchObject({ object: 'chat.completion', provider: 'openai' });
    const sent = upstream.requests.filter((r) => r.path === '/v1/chat/completions').at(-1);
    expect(sent?.body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 64 });
  });

  it('runs the streaming example and shows the streamed answer', async () => {
    await authorize();
    const chat = operation('chat', 'Chat_create');
    await chat.locator('.opblock-summary').click();
    await chat.locator('.examples-select select').first().selectOption('streaming');
    const { status, body } = await execute(chat);
    expect(status).toBe('200');
    expect(body).toMatch(/^data: \{/);
    expect(body).toContain('data: [DONE]');
    const events = sseEvents(body);
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.at(-2)).toMatchObject({
      choices: [],
      usage: { total_tokens: expect.any(Number) },
    });
  });

  it('shows the error envelope of a failing call', async () => {
    await authorize();
    const get = operation('models', 'Models_get');
    await get.locator('.opblock-summary').click();
    await get.locator('input[placeholder="id"]').fill('openai/no-such-model');
    const { status, body } = await execute(get);
    expect(status).toBe('404');
    expect(JSON.parse(body)).toMatchObject({
      error: { type: 'invalid_request_error', code: 'model_not_found', param: 'model' },
    });
  });

  it('links to an operation, and opens the operation a link names', async () => {
    await operation('models', 'Models_get').locator('.opblock-summary').click();
    await page.waitForURL(/#\/models\/Models_get$/);
    const link = page.url().replace('Models_get', 'Models_list');
    await page.goto('about:blank');
    await page.goto(link);
    await page.waitForSelector('[id="operations-models-Models_list"].is-open');
    await expect(operation('models', 'Models_get').getAttribute('class')).resolves.not.toContain(
      'is-open',
    );
  });
});

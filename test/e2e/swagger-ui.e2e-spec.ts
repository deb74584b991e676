import { chromium, type Browser, type Page } from 'playwright-core';
import { jsonFixture } from '../support/fixtures.js';
import { CHROMIUM_ARGS, chromiumPath } from '../support/external-browser.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';
import { StandInUpstream } from '../support/stand-in-upstream.js';

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

  beforeAll(async () => {
    upstream = await StandInUpstream.start();
    upstream.on('GET', '/v1/models', { json: jsonFixture('openai/models.json') });
    gw = await startGateway({ OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: `${upstream.url}/v1` });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  }, 60_000);
  beforeEach(async () => {
    page = await browser.newPage();
    await page.goto(`${gw.url}/docs`);
    await page.waitForSelector('#operations-models-Models_list');
  });
  afterEach(() => page.close());
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await upstream?.stop();
  });

  async function tryListModels(): Promise<{ status: string; body: string }> {
    await page.click('#operations-models-Models_list .opblock-summary');
    // try-out is enabled by default (swaggerOptions.tryItOutEnabled), so Execute is there.
    await page.click('#operations-models-Models_list .execute');
    // The live table's header row has a response-col_status cell too: take the data row.
    const status = page
      .locator(
        '#operations-models-Models_list .live-responses-table tr.response .response-col_status',
      )
      .first();
    await status.waitFor();
    const body = await page
      .locator('#operations-models-Models_list .live-responses-table .response-col_description pre')
      .first()
      .innerText();
    return { status: (await status.innerText()).trim(), body };
  }

  it('"Try it out" without authorizing gets the 401 envelope', async () => {
    const { status, body } = await tryListModels();
    expect(status).toBe('401');
    expect(body).toContain('authentication_error');
  });

  it('"Authorize" takes the bearer token and "Try it out" lists the models', async () => {
    await page.click('.btn.authorize');
    await page.fill('.auth-container input', MASTER_KEY);
    await page.click('.auth-btn-wrapper .modal-btn.authorize');
    await page.click('.auth-btn-wrapper .btn-done');
    const { status, body } = await tryListModels();
    expect(status).toBe('200');
    expect(body).toContain('openai/gpt-4o-mini');
  });
});

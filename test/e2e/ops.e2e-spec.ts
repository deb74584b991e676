import { bodyOf } from '../support/http.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/gateway.js';

describe('operations endpoints', () => {
  let gw: RunningGateway;
  let open: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway({});
    open = await startGateway({ METRICS_PUBLIC: 'true' });
  });
  afterAll(async () => {
    await gw.close();
    await open.close();
  });

  it('GET /health is open and says ok', async () => {
    const res = await fetch(`${gw.url}/health`);
    expect(res.status).toBe(200);
    expect(await bodyOf(res)).toEqual({ status: 'ok' });
  });

  it('GET /ready reports each check', async () => {
    const res = await fetch(`${gw.url}/ready`);
    expect(res.status).toBe(200);
    expect(await bodyOf(res)).toMatchObject({ status: 'ready', checks: { config: true } });
  });

  it('GET /metrics needs the bearer token unless METRICS_PUBLIC=true', async () => {
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
    const authed = await fetch(`${gw.url}/metrics`, {
      headers: { authorization: `Bearer ${MASTER_KEY}` },
    });
    expect(authed.status).toBe(200);
    expect(authed.headers.get('content-type')).toContain('text/plain');
    expect(await authed.text()).toContain('# TYPE tollgate_overhead_seconds histogram');
    expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
  });
});

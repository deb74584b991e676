import { startGateway, type RunningGateway } from '../support/gateway.js';
import { api } from '../support/http.js';

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
    const res = await api(gw, null).call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /ready reports each check', async () => {
    const res = await api(gw, null).call('GET', '/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ready', checks: { config: true } });
  });

  it('GET /metrics needs the bearer token unless METRICS_PUBLIC=true', async () => {
    const refused = await api(gw, null).call('GET', '/metrics');
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('missing_api_key');
    const authed = await api(gw).get('/metrics');
    expect(authed.status).toBe(200);
    expect(authed.headers.get('content-type')).toContain('text/plain');
    expect(await authed.text()).toContain('# TYPE tollgate_overhead_seconds histogram');
    const opened = await api(open, null).get('/metrics');
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('# TYPE tollgate_overhead_seconds histogram');
  });
});

import OpenAI from 'openai';
import { MASTER_KEY, startGateway, type RunningGateway } from './gateway.js';
import { StandInUpstream } from './stand-in-upstream.js';

export interface SdkHarness {
  upstream: StandInUpstream;
  gw: RunningGateway;
  /** The official SDK, pointed at the gateway with the master key, no retries. */
  client: OpenAI;
}

/**
 * The e2e setup every provider suite shares: a stand-in upstream, the real gateway
 * configured against it by `env(upstreamUrl)`, and an official `openai` client. Registers
 * its own beforeAll/afterEach/afterAll; the returned object is filled in by beforeAll.
 */
export function useGatewayWithStandIn(
  env: (upstreamUrl: string) => Record<string, string>,
): SdkHarness {
  const h = {} as SdkHarness;
  beforeAll(async () => {
    h.upstream = await StandInUpstream.start();
    h.gw = await startGateway(env(h.upstream.url));
    h.client = new OpenAI({ apiKey: MASTER_KEY, baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
  });
  afterEach(() => h.upstream.reset());
  afterAll(async () => {
    await h.gw?.close();
    await h.upstream?.stop();
  });
  return h;
}

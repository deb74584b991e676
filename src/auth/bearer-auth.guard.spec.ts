import 'reflect-metadata';
import { Controller, Get, Global, Module, Req, type INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLOCK } from '../common/clock/clock.js';
import { RequestContext } from '../common/context/request-context.js';
import { GatewayExceptionFilter } from '../common/errors/gateway-exception.filter.js';
import type { TollgateConfig } from '../config/config.js';
import { ConfigModule } from '../config/config.module.js';
import { createLogger, LOGGER } from '../logging/logger.js';
import { Auth, MetricsAuth, Public } from './auth.decorator.js';
import { AuthModule } from './auth.module.js';
import type { ApiKeyRecord } from './key.repository.js';
import { KeyRepository } from './key.repository.js';
import { hashKey, KeyService } from './key.service.js';
import { TeamRepository } from './team.repository.js';
import { ID_GENERATOR } from '../common/clock/clock.js';
import { UsageModule } from '../usage/usage.module.js';
import { UsageRepository } from '../usage/usage.repository.js';

const MASTER = 'tg-master-key-for-guard-tests-0';
const MANAGED = `tg-${'M'.repeat(43)}`;
// A final character a 32-byte key can end with (the format check refuses others unqueried).
const REVOKED = `tg-${'R'.repeat(42)}Q`;
const NOW = Date.parse('2026-11-01T00:00:00Z');

const record = (id: string, token: string, revokedAt: number | null): ApiKeyRecord => ({
  id,
  name: id,
  keyHash: hashKey(token),
  keyPrefix: token.slice(0, 11),
  createdAt: NOW - 1_000,
  expiresAt: null,
  revokedAt,
  models: null,
  rpm: null,
  tpm: null,
  budgetNanos: null,
  budgetPeriod: null,
  maxParallel: null,
  teamId: null,
  metadata: null,
  previousKeyHash: null,
  previousExpiresAt: null,
});
const STORED = [record('key_managed', MANAGED, null), record('key_revoked', REVOKED, NOW - 1)];

/** One route per policy; each answers with the identity the guard stored. */
@Controller('probe')
class ProbeController {
  @Public()
  @Get('public')
  open(@Req() req: IncomingMessage) {
    return { identity: req.tollgate?.identity ?? null };
  }

  @Get('undecorated')
  undecorated(@Req() req: IncomingMessage) {
    return { identity: req.tollgate?.identity ?? null };
  }

  @Auth()
  @Get('key')
  key(@Req() req: IncomingMessage) {
    return { identity: req.tollgate?.identity ?? null };
  }

  @Auth({ admin: true })
  @Get('admin')
  admin(@Req() req: IncomingMessage) {
    return { identity: req.tollgate?.identity ?? null };
  }

  @MetricsAuth()
  @Get('metrics')
  metrics(@Req() req: IncomingMessage) {
    return { identity: req.tollgate?.identity ?? null };
  }
}

/** What the rest of the application would provide globally (storage's clock, the logger). */
@Global()
@Module({
  providers: [
    { provide: CLOCK, useValue: { now: () => NOW } },
    { provide: ID_GENERATOR, useValue: { next: (prefix: string) => `${prefix}_test` } },
    { provide: LOGGER, useValue: createLogger('silent') },
  ],
  exports: [CLOCK, ID_GENERATOR, LOGGER],
})
class TestInfraModule {}

/** Usage, as the teams' spend reader sees it: never reached by the guard. */
@Module({ providers: [{ provide: UsageRepository, useValue: {} }], exports: [UsageRepository] })
class StubUsageModule {}

/**
 * AuthModule on its own, with a stand-in key store: its APP_GUARD must protect every
 * route of the application by the route's policy, and answer in the error envelope.
 */
async function appWith(config: Partial<TollgateConfig>): Promise<{
  app: INestApplication;
  /** GET with `Authorization: Bearer <token>`, or with the raw `authorization` header. */
  get(path: string, token?: string, authorization?: string): Promise<{ status: number; body: any }>;
}> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({
        auth: { mode: 'master', masterKey: MASTER, generated: false },
        metricsPublic: false,
        ...config,
      } as TollgateConfig),
      TestInfraModule,
      AuthModule,
    ],
    controllers: [ProbeController],
    providers: [{ provide: APP_FILTER, useClass: GatewayExceptionFilter }],
  })
    .overrideModule(UsageModule)
    .useModule(StubUsageModule)
    .overrideProvider(KeyRepository)
    .useValue({})
    .overrideProvider(TeamRepository)
    .useValue({})
    .overrideProvider(KeyService)
    .useValue({
      findByHash: async (hash: string) => STORED.find((k) => k.keyHash === hash) ?? null,
    })
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  // The request context the HTTP module's middleware would create.
  app.use((req: IncomingMessage, _res: unknown, next: () => void) => {
    req.tollgate = new RequestContext('req_test');
    next();
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    get: async (path, token, authorization = token && `Bearer ${token}`) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: authorization === undefined ? {} : { authorization },
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

const envelope = (status: number, type: string, code: string) => ({
  status,
  body: { error: { message: expect.any(String), type, param: null, code } },
});
const master = { status: 200, body: { identity: { kind: 'master', keyId: null } } };
const managed = {
  status: 200,
  body: { identity: { kind: 'key', keyId: 'key_managed', keyName: 'key_managed' } },
};
const missing = envelope(401, 'authentication_error', 'missing_api_key');
const wrong = envelope(401, 'authentication_error', 'invalid_api_key');
const revoked = envelope(401, 'authentication_error', 'api_key_revoked');
const masterOnly = envelope(403, 'permission_error', 'master_key_required');
const open = { status: 200, body: { identity: null } };

describe('BearerAuthGuard as the APP_GUARD of AuthModule', () => {
  describe.each([
    ['METRICS_PUBLIC=false', false],
    ['METRICS_PUBLIC=true', true],
  ])('%s', (_name, metricsPublic) => {
    let h: Awaited<ReturnType<typeof appWith>>;
    beforeAll(async () => {
      h = await appWith({ metricsPublic });
    });
    afterAll(() => h.app.close());

    const metricsWithout = metricsPublic ? open : missing;
    it.each([
      ['/probe/public', 'no token', undefined, open],
      ['/probe/public', 'a wrong token', 'tg-wrong', open],
      ['/probe/undecorated', 'no token', undefined, missing],
      ['/probe/undecorated', 'a wrong token', 'tg-wrong', wrong],
      ['/probe/undecorated', 'a managed key', MANAGED, managed],
      ['/probe/undecorated', 'the master key', MASTER, master],
      ['/probe/key', 'no token', undefined, missing],
      ['/probe/key', 'the master key plus a character', `${MASTER}x`, wrong],
      ['/probe/key', 'a revoked key', REVOKED, revoked],
      ['/probe/key', 'a managed key', MANAGED, managed],
      ['/probe/key', 'the master key', MASTER, master],
      ['/probe/admin', 'no token', undefined, missing],
      ['/probe/admin', 'a wrong token', 'tg-wrong', wrong],
      ['/probe/admin', 'a managed key', MANAGED, masterOnly],
      ['/probe/admin', 'the master key', MASTER, master],
      ['/probe/metrics', 'no token', undefined, metricsWithout],
      ['/probe/metrics', 'a managed key', MANAGED, metricsPublic ? open : masterOnly],
      ['/probe/metrics', 'the master key', MASTER, metricsPublic ? open : master],
    ])('GET %s with %s', async (path, _who, token, expected) => {
      expect(await h.get(path, token)).toEqual(expected);
    });

    it('takes the scheme in any case; anything but one bearer token is a missing key', async () => {
      expect(await h.get('/probe/admin', undefined, `bearer ${MASTER}`)).toEqual(master);
      expect(await h.get('/probe/admin', undefined, `BEARER  ${MASTER} `)).toEqual(master);
      for (const header of [MASTER, `Basic ${MASTER}`, 'Bearer', `Bearer ${MASTER} extra`]) {
        expect([header, await h.get('/probe/admin', undefined, header)]).toEqual([header, missing]);
      }
    });
  });

  it('lets every request through as anonymous when auth is disabled', async () => {
    const h = await appWith({ auth: { mode: 'disabled' } });
    try {
      const anonymous = { status: 200, body: { identity: { kind: 'anonymous', keyId: null } } };
      expect(await h.get('/probe/admin')).toEqual(anonymous);
      expect(await h.get('/probe/key', 'tg-wrong')).toEqual(anonymous);
    } finally {
      await h.app.close();
    }
  });
});

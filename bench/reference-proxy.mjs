// The reference the gateway is measured against: a minimal NestJS 12 + express + undici
// pass-through proxy (default body parser, one controller, a keep-alive undici Agent).
// Written with decorators applied by hand so it runs as plain JavaScript.
import 'reflect-metadata';
import { Controller, Module, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Agent, request } from 'undici';

const upstream = process.env.UPSTREAM_URL;
const agent = new Agent({ keepAliveTimeout: 60_000 });

class ProxyController {
  async proxy(req, res) {
    const up = await request(`${upstream}/v1/chat/completions`, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer upstream' },
      body: JSON.stringify(req.body),
    });
    res.status(up.statusCode);
    res.setHeader('content-type', up.headers['content-type']);
    res.on('close', () => up.body.destroy());
    for await (const chunk of up.body) {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }
}
Controller('v1')(ProxyController);

// REFERENCE_INTERCEPTORS=N puts N interceptors of the usage interceptor's form (note the
// request, register nothing that allocates, return next.handle()) on the route, so
// bench/interceptor-cost.mjs can price Nest's interceptor machinery on its own.
class NoopInterceptor {
  intercept(context, next) {
    context.switchToHttp().getRequest().intercepted = true;
    return next.handle();
  }
}
const interceptorCount = Number(process.env.REFERENCE_INTERCEPTORS ?? 0);
if (interceptorCount > 0) {
  UseInterceptors(...Array.from({ length: interceptorCount }, () => new NoopInterceptor()))(
    ProxyController,
  );
}
const descriptor = Object.getOwnPropertyDescriptor(ProxyController.prototype, 'proxy');
Req()(ProxyController.prototype, 'proxy', 0);
Res()(ProxyController.prototype, 'proxy', 1);
Post('chat/completions')(ProxyController.prototype, 'proxy', descriptor);

class ReferenceModule {}
Module({ controllers: [ProxyController] })(ReferenceModule);

const app = await NestFactory.create(ReferenceModule, { logger: false });
await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.stdout.write(`${JSON.stringify({ port: app.getHttpServer().address().port })}\n`);

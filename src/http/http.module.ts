import {
  Global,
  Module,
  RequestMethod,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { GatewayExceptionFilter } from '../common/errors/gateway-exception.filter.js';
import { RequestValidationPipe } from '../common/validation/request-validation.pipe.js';
import { BodyReaderInterceptor } from './body-reader.interceptor.js';
import { InflightRequests } from './inflight.service.js';
import { EVERY_PATH } from './matched-route.js';
import { RequestContextMiddleware } from './request-context.middleware.js';
import { RequestStartHooks } from './request-start-hooks.js';
import { ResponseEndHooks } from './response-end-hooks.js';

/**
 * The HTTP edge: the request context of every request, body reading after auth, the
 * one error envelope, request validation, the start and end-of-response hooks other
 * modules add to, and the graceful drain.
 */
@Global()
@Module({
  providers: [
    RequestStartHooks,
    ResponseEndHooks,
    InflightRequests,
    { provide: APP_FILTER, useClass: GatewayExceptionFilter },
    { provide: APP_PIPE, useClass: RequestValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: BodyReaderInterceptor },
  ],
  exports: [RequestStartHooks, ResponseEndHooks, InflightRequests],
})
export class HttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(RequestContextMiddleware)
      .forRoutes({ path: EVERY_PATH, method: RequestMethod.ALL });
  }
}

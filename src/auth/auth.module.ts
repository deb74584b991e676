import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminKeysController } from './admin-keys.controller.js';
import { AuthService } from './auth.service.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { KeyRepository } from './key.repository.js';
import { KeyService } from './key.service.js';

/**
 * Bearer auth for every route (the global guard; routes state their policy with
 * `@Auth`/`@Public`) and the admin API for managed keys.
 */
@Module({
  controllers: [AdminKeysController],
  providers: [
    AuthService,
    KeyRepository,
    KeyService,
    { provide: APP_GUARD, useClass: BearerAuthGuard },
  ],
  exports: [KeyService],
})
export class AuthModule {}

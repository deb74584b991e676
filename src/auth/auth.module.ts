import { Module } from '@nestjs/common';
import { AdminKeysController } from './admin-keys.controller.js';
import { AuthService } from './auth.service.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { KeyRepository } from './key.repository.js';
import { KeyService } from './key.service.js';

/** Bearer auth (master key and managed keys) and the admin API for managed keys. */
@Module({
  controllers: [AdminKeysController],
  providers: [AuthService, BearerAuthGuard, KeyRepository, KeyService],
  exports: [AuthService, BearerAuthGuard, KeyService],
})
export class AuthModule {}

import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { UsageModule } from '../usage/usage.module.js';
import { AdminKeysController } from './admin-keys.controller.js';
import { AdminTeamsController } from './admin-teams.controller.js';
import { AuthService } from './auth.service.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { KeyRepository } from './key.repository.js';
import { KeyService, TEAM_LOOKUP, type TeamLookup } from './key.service.js';
import { TeamRepository } from './team.repository.js';
import { TeamService } from './team.service.js';

/**
 * Bearer auth for every route (the global guard; routes state their policy with
 * `@Auth`/`@Public`) and the admin API for managed keys and teams.
 */
@Module({
  imports: [UsageModule],
  controllers: [AdminKeysController, AdminTeamsController],
  providers: [
    AuthService,
    KeyRepository,
    KeyService,
    TeamRepository,
    TeamService,
    {
      provide: TEAM_LOOKUP,
      inject: [TeamService],
      useFactory:
        (teams: TeamService): TeamLookup =>
        (id) =>
          teams.existing(id),
    },
    { provide: APP_GUARD, useClass: BearerAuthGuard },
  ],
  exports: [KeyService, TeamService],
})
export class AuthModule {}

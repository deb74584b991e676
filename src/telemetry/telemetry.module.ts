import { Global, Module } from '@nestjs/common';
import { TelemetryService } from './telemetry.service.js';

/** OpenTelemetry tracing (see `TelemetryService`); global so the upstream attempts can reach it. */
@Global()
@Module({
  providers: [TelemetryService],
  exports: [TelemetryService],
})
export class TelemetryModule {}

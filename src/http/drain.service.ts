import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Whether the process is shutting down. From the moment shutdown begins, new requests
 * are refused with the 503 envelope and `connection: close`, and `/ready` answers 503,
 * so a load balancer stops sending traffic while open requests finish.
 */
@Injectable()
export class DrainState implements BeforeApplicationShutdown {
  draining = false;

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}

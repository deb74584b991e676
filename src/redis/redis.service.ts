import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LOGGER } from '../logging/logging.module.js';

export const REDIS_URL = Symbol('REDIS_URL');

type Handler = (message: string) => void;

/**
 * Shared state across replicas, present only when REDIS_URL is set. Two connections: one
 * for commands (fails fast while Redis is away, so callers fall back at once) and one
 * subscribed to channels (resubscribes by itself after a reconnect, when `onReconnect`
 * listeners are told, since messages sent meanwhile were missed).
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private commands?: Redis;
  private subscriber?: Redis;
  private readonly handlers = new Map<string, Handler[]>();
  private readonly reconnectHandlers: Array<() => void> = [];
  private lastErrorLog = 0;

  constructor(
    @Inject(REDIS_URL) private readonly url: string,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const { Redis } = await import('ioredis');
    const common = { connectionName: 'tollgate', maxRetriesPerRequest: 1 };
    this.commands = new Redis(this.url, { ...common, enableOfflineQueue: false });
    // Commands wait for the connection here (subscribe is sent when ready anyway).
    this.subscriber = new Redis(this.url, { ...common, maxRetriesPerRequest: null });
    for (const client of [this.commands, this.subscriber]) {
      client.on('error', (err: Error) => this.logError(err));
    }
    let readyBefore = false;
    this.subscriber.on('ready', () => {
      // (Re)subscribe on every connect: also when Redis was down at start, or when the
      // first subscribe was lost; subscribing twice is harmless.
      this.subscribeAll();
      if (readyBefore) for (const h of this.reconnectHandlers) h();
      readyBefore = true;
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      for (const h of this.handlers.get(channel) ?? []) h(message);
    });
  }

  /**
   * Calls `handler` for every message on `channel` (from any replica, this one too).
   * Never waits for Redis: the subscription is made whenever the connection is ready.
   */
  subscribe(channel: string, handler: Handler): void {
    const list = this.handlers.get(channel) ?? [];
    list.push(handler);
    this.handlers.set(channel, list);
    if (list.length === 1 && this.subscriber?.status === 'ready') this.subscribeAll();
  }

  private subscribeAll(): void {
    const channels = [...this.handlers.keys()];
    if (channels.length === 0 || !this.subscriber) return;
    this.subscriber.subscribe(...channels).catch((err: Error) => this.logError(err));
  }

  /** The command connection (for modules with scripts of their own); check its `status`. */
  get connection(): Redis | undefined {
    return this.commands;
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  /** Publishes; resolves false (never throws) when Redis is unreachable. */
  async publish(channel: string, message: string, timeoutMs = 1_000): Promise<boolean> {
    if (!this.commands) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.commands.publish(channel, message),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('publish timed out')), timeoutMs);
        }),
      ]);
      return true;
    } catch (err) {
      this.logError(err as Error);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** QUIT when connected (bounded wait), then drop the connection and any reconnect timer. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [this.commands, this.subscriber].map(async (client) => {
        if (!client) return;
        if (client.status === 'ready') {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            client.quit().catch(() => undefined),
            new Promise((resolve) => (timer = setTimeout(resolve, 1_000))),
          ]);
          clearTimeout(timer);
        }
        client.disconnect();
      }),
    );
  }

  /** At most one line per 10 s while Redis is down. */
  private logError(err: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn({ err: { message: err.message } }, 'redis unavailable');
  }
}

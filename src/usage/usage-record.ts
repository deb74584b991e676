import type { Usage } from '../openai/chat-completion.types.js';
import { costNanos, type Pricing } from './pricing.js';

/** One proxied request as recorded: the admin API's usage log entry, camelCased. */
export interface UsageRecord {
  id: string;
  /** The `x-request-id` the response carried. */
  requestId: string;
  /** When the request arrived, epoch milliseconds. */
  createdAt: number;
  /** Managed key id; null for the master key (or with auth disabled). */
  keyId: string | null;
  /** The key's team when the request was made. */
  teamId: string | null;
  requestedModel: string | null;
  provider: string | null;
  model: string | null;
  stream: boolean;
  statusCode: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Integer nano-dollars (1e-9 USD); null when the model has no price. */
  costNanos: bigint | null;
  /** Why `costNanos` is null (`unpriced_model`). */
  costReason: string | null;
  latencyMs: number;
  ttftMs: number | null;
  errorType: string | null;
  errorCode: string | null;
  /** The response ended before the upstream finished (client abort, mid-stream error). */
  partial: boolean;
  /** Some token counts are the gateway's own count (aborted requests), not the upstream's. */
  usageEstimated: boolean;
  /** The OpenAI `user` field. */
  user: string | null;
  /** Upstream tries made (retries and fallbacks included); 0 when none was made. */
  attempts: number;
  /** W3C trace id (32 hex digits) of the request's trace; null when it had none. */
  traceId: string | null;
}

/** What the gateway saw of one request, gathered when its response closed. */
export interface ObservedRequest {
  requestId: string;
  startedAt: number;
  keyId: string | null;
  teamId: string | null;
  requestedModel: string | null;
  provider: string | null;
  model: string | null;
  stream: boolean;
  statusCode: number;
  usage?: Usage;
  latencyMs: number;
  ttftMs: number | null;
  errorType: string | null;
  errorCode: string | null;
  partial: boolean;
  user: string | null;
  attempts: number;
  traceId: string | null;
  /** Counted by the gateway for a partial request (o200k tokenizer). */
  estimatedPromptTokens?: number;
  estimatedCompletionTokens?: number;
}

export const UNPRICED_MODEL = 'unpriced_model';

/**
 * Turns an observed request into its usage row. Upstream usage is authoritative; for a
 * partial request the gateway's own counts fill in what the upstream never reported
 * (the larger of the two wins for output, since text kept arriving after the last report).
 */
export function buildUsageRecord(o: ObservedRequest, id: string, pricing: Pricing): UsageRecord {
  const u = o.usage;
  let prompt = count(u?.prompt_tokens);
  let completion = count(u?.completion_tokens);
  let total = u?.total_tokens === undefined ? prompt + completion : count(u.total_tokens);
  let estimated = false;
  if (o.partial) {
    if (prompt === 0 && (o.estimatedPromptTokens ?? 0) > 0) {
      prompt = o.estimatedPromptTokens!;
      estimated = true;
    }
    if ((o.estimatedCompletionTokens ?? 0) > completion) {
      completion = o.estimatedCompletionTokens!;
      estimated = true;
    }
    if (estimated) total = prompt + completion;
  }
  const cached = count(u?.prompt_tokens_details?.cached_tokens);
  const cacheWrite = count(u?.prompt_tokens_details?.cache_write_tokens);
  const reasoning = count(u?.completion_tokens_details?.reasoning_tokens);

  let cost: bigint | null = 0n;
  let costReason: string | null = null;
  if (prompt + completion > 0) {
    const price =
      o.provider !== null && o.model !== null ? pricing.priceFor(o.provider, o.model) : undefined;
    if (price) {
      cost = costNanos({ prompt, completion, cached, cacheWrite, reasoning }, price);
    } else {
      cost = null;
      costReason = UNPRICED_MODEL;
    }
  }
  return {
    id,
    requestId: o.requestId,
    createdAt: o.startedAt,
    keyId: o.keyId,
    teamId: o.teamId,
    requestedModel: o.requestedModel,
    provider: o.provider,
    model: o.model,
    stream: o.stream,
    statusCode: o.statusCode,
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: total,
    cachedTokens: cached,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: reasoning,
    costNanos: cost,
    costReason,
    latencyMs: o.latencyMs,
    ttftMs: o.ttftMs,
    errorType: o.errorType,
    errorCode: o.errorCode,
    partial: o.partial,
    usageEstimated: estimated,
    user: o.user,
    attempts: o.attempts,
    traceId: o.traceId,
  };
}

function count(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.trunc(n) : 0;
}

import { Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestContext } from '../common/context/request-context.js';
import { LimitsService } from '../limits/limits.service.js';
import type { StreamChunk } from '../providers/provider-adapter.js';
import { ResilienceService, type Admission } from '../resilience/resilience.service.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  Usage,
} from '../openai/chat-completion.types.js';

/**
 * Routes a chat completion to its provider and relays the answer, recording on the
 * request context what accounting needs (provider, model, usage, timings).
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly resilience: ResilienceService,
    private readonly limits: LimitsService,
  ) {}

  async complete(
    body: ChatCompletionRequest,
    ctx: RequestContext,
    headers: IncomingHttpHeaders,
  ): Promise<ChatCompletion> {
    this.note(body, ctx, false);
    const { value: completion, route } = await this.resilience.run(
      body,
      ctx,
      headers,
      false,
      (target, call) => target.adapter.complete(call),
      this.admission(body, ctx),
    );
    completion.provider = route.adapter.name;
    ctx.usage = completion.usage;
    ctx.status = 200;
    return completion;
  }

  /** Resolves once the upstream accepted the stream; yields serialised chunks. */
  async stream(
    body: ChatCompletionRequest,
    ctx: RequestContext,
    headers: IncomingHttpHeaders,
  ): Promise<AsyncIterable<string>> {
    this.note(body, ctx, true);
    const reportUsage = (usage: Usage): void => {
      ctx.usage = usage;
    };
    const { value: chunks } = await this.resilience.run(
      body,
      ctx,
      headers,
      true,
      (target, call) => {
        call.reportUsage = reportUsage;
        return target.adapter.stream(call);
      },
      this.admission(body, ctx),
    );
    return relayFrames(chunks, ctx);
  }

  /**
   * Rate limits and the budget reservation, once, before the first upstream attempt; a key
   * without limits pays nothing here.
   */
  private admission(body: ChatCompletionRequest, ctx: RequestContext): Admission | undefined {
    return ctx.identity?.limits ? () => this.limits.admit(ctx, body) : undefined;
  }

  /** Routing, retries, fallbacks and the allowlist are the resilience layer's (`run`). */
  private note(body: ChatCompletionRequest, ctx: RequestContext, stream: boolean): void {
    ctx.requestedModel = body.model;
    ctx.stream = stream;
    ctx.includeUsage = stream && body.stream_options?.include_usage === true;
    ctx.user = typeof body.user === 'string' ? body.user : undefined;
  }
}

/**
 * Turns translated chunks into the frames the client sees: usage is always captured
 * for accounting, but the usage chunk only reaches clients that asked for it. Each wait
 * for the next upstream chunk counts as upstream time, not gateway overhead.
 */
export async function* relayFrames(
  chunks: AsyncIterable<StreamChunk>,
  ctx: RequestContext,
): AsyncGenerator<string> {
  const text: string[] = [];
  ctx.relayedText = text;
  // Iterated by hand, not with for-await, to bracket each next() with the upstream clock.
  const iterator = chunks[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      ctx.upstreamStart();
      let step: IteratorResult<StreamChunk>;
      try {
        step = await iterator.next();
      } catch (err) {
        finished = true; // like for-await: an iterator that threw is not returned
        throw err;
      } finally {
        ctx.upstreamEnd();
      }
      if (step.done) {
        finished = true;
        return;
      }
      const value = step.value;
      if (value.chunk === undefined) {
        // Relayed as the upstream sent it (see passThrough in the OpenAI stream).
        if (ctx.ttftMs === undefined && value.output) ctx.ttftMs = ctx.elapsedMs();
        if (value.text !== '') text.push(value.text);
        yield value.raw;
        continue;
      }
      const { chunk, raw } = value;
      if (ctx.ttftMs === undefined && carriesOutput(chunk)) ctx.ttftMs = ctx.elapsedMs();
      for (const choice of chunk.choices) {
        const content = choice.delta?.content;
        if (typeof content === 'string' && content !== '') text.push(content);
      }
      if (chunk.usage) {
        ctx.usage = chunk.usage;
        if (!ctx.includeUsage) {
          if (chunk.choices.length === 0) continue;
          const { usage: _hidden, ...rest } = chunk;
          yield JSON.stringify(rest);
          continue;
        }
      }
      yield raw ?? JSON.stringify(chunk);
    }
  } finally {
    // The consumer stopped early (client gone, write failed): cancel the upstream.
    if (!finished) await iterator.return?.();
  }
}

function carriesOutput(chunk: ChatCompletionChunk): boolean {
  for (const c of chunk.choices) {
    const d = c.delta;
    if (!d) continue;
    if (
      (typeof d.content === 'string' && d.content !== '') ||
      d.tool_calls ||
      d.reasoning_content
    ) {
      return true;
    }
  }
  return false;
}

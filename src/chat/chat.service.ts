import { Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { assertModelAllowed } from '../auth/model-allowlist.js';
import { LimitsService } from '../limits/limits.service.js';
import type { RequestContext } from '../common/context/request-context.js';
import { ModelRouter } from '../models/model-router.service.js';
import type { StreamChunk, UpstreamCall } from '../providers/provider-adapter.js';
import type { Route } from '../models/model-router.service.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
} from './chat-completion.types.js';

/**
 * Routes a chat completion to its provider and relays the answer, recording on the
 * request context what accounting needs (provider, model, usage, timings).
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly router: ModelRouter,
    private readonly limits: LimitsService,
  ) {}

  async complete(
    body: ChatCompletionRequest,
    ctx: RequestContext,
    headers: IncomingHttpHeaders,
  ): Promise<ChatCompletion> {
    const { route, call } = this.prepare(body, ctx, headers, false);
    if (ctx.identity?.limits) await this.limits.admit(ctx, body);
    ctx.upstreamStart();
    let completion: ChatCompletion;
    try {
      completion = await route.adapter.complete(call);
    } finally {
      ctx.upstreamEnd();
    }
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
    const { route, call } = this.prepare(body, ctx, headers, true);
    if (ctx.identity?.limits) await this.limits.admit(ctx, body);
    ctx.upstreamStart();
    call.onUpstreamHeaders = () => ctx.upstreamEnd();
    call.reportUsage = (usage) => {
      ctx.usage = usage;
    };
    let chunks: AsyncIterable<StreamChunk>;
    try {
      chunks = await route.adapter.stream(call);
    } finally {
      ctx.upstreamEnd();
    }
    return relayFrames(chunks, ctx);
  }

  private prepare(
    body: ChatCompletionRequest,
    ctx: RequestContext,
    headers: IncomingHttpHeaders,
    stream: boolean,
  ): { route: Route; call: UpstreamCall } {
    ctx.requestedModel = body.model;
    ctx.stream = stream;
    ctx.includeUsage = stream && body.stream_options?.include_usage === true;
    ctx.user = typeof body.user === 'string' ? body.user : undefined;
    const route = this.router.resolve(body.model, body.provider);
    ctx.provider = route.adapter.name;
    ctx.model = route.model;
    assertModelAllowed(ctx.identity, {
      provider: route.adapter.name,
      model: route.model,
      catalogRouted: route.via === 'catalog',
    });
    return {
      route,
      call: { body, model: route.model, signal: ctx.signal, clientHeaders: headers },
    };
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
      const { chunk, raw } = step.value;
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

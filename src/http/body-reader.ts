import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import { invalidJson } from '../common/errors/to-gateway-error.js';

export interface BodyLimits {
  /** Largest body accepted, measured after decompression. */
  limitBytes: number;
  /** The whole body must have arrived this long after the request started. */
  timeoutMs: number;
  /** Deepest nesting of arrays and objects accepted. */
  maxDepth: number;
}

/** JSON nested deeper than this gets 400 (the interface's limit). */
export const MAX_JSON_DEPTH = 128;

const JSON_TYPE = /^application\/(?:json|[^;\s]*\+json)\s*(?:;|$)/i;
/** A cheap pre-test: only bodies that contain one of these need the key check. */
const PROTO_HINT = /__proto__|constructor|\\u00[57]/;

/**
 * Reads a request body once the caller is authenticated (the guard runs first, so
 * nothing of an unauthenticated body is buffered or parsed). JSON (`application/json`,
 * `application/*+json`) is parsed; any other type is read and dropped, so validation
 * answers it like any body that is not a JSON object. `gzip`, `deflate` and `br` bodies
 * are inflated, the limit applying to the inflated size. Resolves `undefined` for no body.
 */
export async function readJsonBody(
  req: IncomingMessage,
  startedAt: number,
  limits: BodyLimits,
): Promise<unknown> {
  if (!hasBody(req)) return undefined;
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const declared = Number(req.headers['content-length']);
  if (encoding === 'identity' && declared > limits.limitBytes) throw tooLarge(limits);
  const source = decoder(req, encoding);
  const text = await collect(req, source, startedAt, limits);
  const type = req.headers['content-type'];
  if (text.length === 0 || type === undefined || !JSON_TYPE.test(type)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidJson();
  }
  checkShape(value, limits.maxDepth, PROTO_HINT.test(text));
  return value;
}

/** Whether the request carries a body at all (a length above zero, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

function decoder(req: IncomingMessage, encoding: string): Readable {
  switch (encoding) {
    case 'identity':
      return req;
    case 'gzip':
    case 'x-gzip':
      return req.pipe(createGunzip());
    case 'deflate':
      return req.pipe(createInflate());
    case 'br':
      return req.pipe(createBrotliDecompress());
    default:
      throw new GatewayError(
        ErrorCode.InvalidRequest,
        `Unsupported content-encoding '${encoding.slice(0, 32)}': send gzip, deflate, br or none.`,
        { status: 415, wireCode: 'unsupported_content_encoding' },
      );
  }
}

function collect(
  req: IncomingMessage,
  source: Readable,
  startedAt: number,
  limits: BodyLimits,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err: GatewayError | null): void => {
      clearTimeout(timer);
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      req.off('aborted', onAborted);
      if (err) {
        if (source !== req) source.destroy();
        reject(err);
      } else {
        resolve(
          chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'),
        );
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limits.limitBytes) finish(tooLarge(limits));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(null);
    const onError = (err: Error): void =>
      finish(
        source === req
          ? new GatewayError(ErrorCode.InvalidRequest, 'The request body could not be read.', {
              cause: err,
            })
          : new GatewayError(
              ErrorCode.InvalidRequest,
              'The request body could not be decompressed as its content-encoding says.',
              { wireCode: 'invalid_content_encoding' },
            ),
      );
    const onAborted = (): void =>
      finish(new GatewayError(ErrorCode.InvalidRequest, 'The client closed the request body.'));
    const left = Math.max(0, limits.timeoutMs - (performance.now() - startedAt));
    const timer = setTimeout(
      () =>
        finish(
          new GatewayError(
            ErrorCode.RequestTimeout,
            `The request body did not arrive within ${limits.timeoutMs} ms.`,
            { wireCode: 'request_timeout' },
          ),
        ),
      left,
    );
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function tooLarge(limits: BodyLimits): GatewayError {
  return new GatewayError(
    ErrorCode.BodyTooLarge,
    `Request body is too large: the limit is ${limits.limitBytes} bytes (after decompression).`,
  );
}

/**
 * Refuses JSON nested deeper than `maxDepth` (deep nesting overflows the stack of every
 * recursive consumer downstream: translators, JSON.stringify) and objects with a
 * `__proto__` key or a `constructor.prototype` (prototype poisoning). Recursion is safe
 * here: it stops at `maxDepth`.
 */
export function checkShape(value: unknown, maxDepth: number, checkKeys: boolean): void {
  walk(value, 1, maxDepth, checkKeys);
}

function walk(value: unknown, depth: number, maxDepth: number, checkKeys: boolean): void {
  if (typeof value !== 'object' || value === null) return;
  if (depth > maxDepth) {
    throw new GatewayError(
      ErrorCode.InvalidRequest,
      `The JSON body is nested more than ${maxDepth} levels deep.`,
      { wireCode: 'json_too_deep' },
    );
  }
  if (Array.isArray(value)) {
    for (const item of value) walk(item, depth + 1, maxDepth, checkKeys);
    return;
  }
  const obj = value as Record<string, unknown>;
  if (checkKeys && (Object.hasOwn(obj, '__proto__') || hasPrototypeKey(obj))) throw invalidJson();
  for (const key in obj) walk(obj[key], depth + 1, maxDepth, checkKeys);
}

function hasPrototypeKey(obj: Record<string, unknown>): boolean {
  const c = Object.hasOwn(obj, 'constructor') ? obj.constructor : undefined;
  return typeof c === 'object' && c !== null && Object.hasOwn(c, 'prototype');
}

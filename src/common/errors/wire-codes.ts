import { ErrorCode } from './gateway-error.js';

/**
 * Where an error can happen, so a route's documentation lists only the codes it can carry:
 * - `request`: reading a JSON request body (routes that take one);
 * - `fields`: validating body fields or query parameters (admin routes; chat has its own);
 * - `auth`: checking the bearer token (every route but the public probes);
 * - `master`: routes for the master key only;
 * - `chat`: validation, routing, limits and the upstream call of a chat completion;
 * - `models`: looking up one model;
 * - `key`, `team`: the route's `{id}` names a managed key, a team;
 * - `team-ref`: the body names a team (`team_id`);
 * - `team-delete`: deleting a team;
 * - `key-rotate`: rotating a key;
 * - `any`: every route (shutdown, internal errors).
 */
export type ErrorScope =
  | 'request'
  | 'fields'
  | 'auth'
  | 'master'
  | 'chat'
  | 'models'
  | 'key'
  | 'team'
  | 'team-ref'
  | 'team-delete'
  | 'key-rotate'
  | 'any';

export interface WireCodeEntry {
  /** The `error.code` on the wire. */
  readonly code: string;
  /** The GatewayError code it is sent with: `statusAndType` gives its status and type. */
  readonly error: ErrorCode;
  /** The HTTP status, for the error codes whose status is not fixed (InvalidRequest, Upstream). */
  readonly status?: number;
  /** The request field named in `param`, when it is always the same one. */
  readonly param?: string;
  readonly scopes: readonly ErrorScope[];
  /** What happened, in one sentence (the documentation's example message). */
  readonly meaning: string;
}

/**
 * Every `error.code` the gateway itself sends, with the status it comes with and where it
 * can happen. `GatewayError`'s `wireCode` only takes these (or an upstream's own code,
 * relayed as `UpstreamCode`), so the OpenAPI document, which lists them per route and
 * status, cannot miss one. An ErrorCode sent without a `wireCode` goes out as its own
 * value; the ones that are are listed under that name.
 */
export const WIRE_CODES = [
  // Reading the request
  {
    code: 'invalid_json',
    error: ErrorCode.InvalidJson,
    scopes: ['request'],
    meaning: 'The body is not a JSON object.',
  },
  {
    code: 'json_too_deep',
    error: ErrorCode.InvalidRequest,
    scopes: ['request'],
    meaning: 'The JSON body is nested deeper than 128 levels.',
  },
  {
    code: 'invalid_content_encoding',
    error: ErrorCode.InvalidRequest,
    scopes: ['request'],
    meaning: 'The compressed body could not be inflated.',
  },
  {
    code: 'invalid_request',
    error: ErrorCode.InvalidRequest,
    scopes: ['request'],
    meaning: 'The request body could not be read.',
  },
  {
    code: 'unsupported_content_encoding',
    error: ErrorCode.InvalidRequest,
    status: 415,
    scopes: ['request'],
    meaning: 'The body is compressed with an encoding other than gzip, deflate or br.',
  },
  {
    code: 'body_too_large',
    error: ErrorCode.BodyTooLarge,
    scopes: ['request'],
    meaning: 'The body (inflated) is larger than TOLLGATE_BODY_LIMIT.',
  },
  {
    code: 'request_timeout',
    error: ErrorCode.RequestTimeout,
    scopes: ['request'],
    meaning: 'The body did not fully arrive within TOLLGATE_REQUEST_TIMEOUT_MS.',
  },
  {
    code: 'invalid_value',
    error: ErrorCode.InvalidRequest,
    scopes: ['chat', 'fields'],
    meaning: 'A field or query parameter is invalid; `param` names it.',
  },
  {
    code: 'unknown_parameter',
    error: ErrorCode.InvalidRequest,
    scopes: ['fields'],
    meaning: 'The body or query has a field the route does not take; `param` names the first.',
  },
  // Credentials
  {
    code: 'missing_api_key',
    error: ErrorCode.Unauthorized,
    scopes: ['auth'],
    meaning: 'No bearer token was sent.',
  },
  {
    code: 'invalid_api_key',
    error: ErrorCode.Unauthorized,
    scopes: ['auth'],
    meaning: 'The bearer token is not a key of this gateway.',
  },
  {
    code: 'api_key_revoked',
    error: ErrorCode.Unauthorized,
    scopes: ['auth'],
    meaning: 'The key has been revoked.',
  },
  {
    code: 'api_key_rotated',
    error: ErrorCode.Unauthorized,
    scopes: ['auth'],
    meaning: "The key's secret was rotated and its grace period is over; use the new secret.",
  },
  {
    code: 'api_key_expired',
    error: ErrorCode.Unauthorized,
    scopes: ['auth'],
    meaning: 'The key has expired.',
  },
  {
    code: 'master_key_required',
    error: ErrorCode.Forbidden,
    scopes: ['master'],
    meaning: 'Only the master key may call this route.',
  },
  // Routing and limits
  {
    code: 'model_not_found',
    error: ErrorCode.ModelNotFound,
    param: 'model',
    scopes: ['chat', 'models'],
    meaning: 'No configured provider serves this model.',
  },
  {
    code: 'model_ambiguous',
    error: ErrorCode.ModelAmbiguous,
    param: 'model',
    scopes: ['chat'],
    meaning: 'Several providers serve this bare model name: use `provider/model`.',
  },
  {
    code: 'provider_not_found',
    error: ErrorCode.ProviderNotFound,
    param: 'provider',
    scopes: ['chat'],
    meaning: 'The `provider` hint names no configured provider.',
  },
  {
    code: 'invalid_model',
    error: ErrorCode.InvalidRequest,
    param: 'model',
    scopes: ['chat'],
    meaning: 'The model id would change the upstream URL.',
  },
  {
    code: 'unsupported_parameter',
    error: ErrorCode.Unsupported,
    scopes: ['chat'],
    meaning: 'The provider cannot honour this parameter.',
  },
  {
    code: 'upstream_url_refused',
    error: ErrorCode.InvalidRequest,
    scopes: ['chat'],
    meaning: 'The upstream URL the request would go to is refused.',
  },
  {
    code: 'model_not_allowed',
    error: ErrorCode.Forbidden,
    param: 'model',
    scopes: ['chat'],
    meaning: "The model is outside the key's (or its team's) allowlist.",
  },
  {
    code: 'model_unpriced',
    error: ErrorCode.Forbidden,
    param: 'model',
    scopes: ['chat'],
    meaning: 'A key with a budget cannot use a model without a price.',
  },
  {
    code: 'rate_limit_exceeded',
    error: ErrorCode.RateLimited,
    scopes: ['chat'],
    meaning:
      'The rpm, tpm or max_parallel limit of the key or its team is reached (see retry-after).',
  },
  {
    code: 'insufficient_quota',
    error: ErrorCode.BudgetExceeded,
    scopes: ['chat'],
    meaning: 'The budget of the key or its team has no room for this request.',
  },
  // The upstream
  {
    code: 'content_filter',
    error: ErrorCode.Upstream,
    status: 400,
    param: 'messages',
    scopes: ['chat'],
    meaning: "The provider's safety filter blocked the prompt.",
  },
  {
    code: 'upstream_authentication_error',
    error: ErrorCode.Upstream,
    status: 401,
    scopes: ['chat'],
    meaning: "The provider refused the gateway's own credentials for it.",
  },
  {
    code: 'upstream_unreachable',
    error: ErrorCode.UpstreamUnreachable,
    scopes: ['chat'],
    meaning: 'The provider could not be reached.',
  },
  {
    code: 'upstream_invalid_response',
    error: ErrorCode.UpstreamInvalidResponse,
    scopes: ['chat'],
    meaning: 'The provider answered with something that is not a valid response.',
  },
  {
    code: 'connect_timeout',
    error: ErrorCode.UpstreamTimeout,
    scopes: ['chat'],
    meaning: 'The connection to the provider timed out.',
  },
  {
    code: 'first_byte_timeout',
    error: ErrorCode.UpstreamTimeout,
    scopes: ['chat'],
    meaning: 'The provider did not start answering in time.',
  },
  {
    code: 'first_token_timeout',
    error: ErrorCode.UpstreamTimeout,
    scopes: ['chat'],
    meaning: 'The provider sent no event in time after answering.',
  },
  {
    code: 'idle_timeout',
    error: ErrorCode.UpstreamTimeout,
    scopes: ['chat'],
    meaning: 'The provider stopped sending data.',
  },
  {
    code: 'total_timeout',
    error: ErrorCode.UpstreamTimeout,
    scopes: ['chat'],
    meaning: 'The provider did not finish in time.',
  },
  {
    code: 'no_target_available',
    error: ErrorCode.ServiceUnavailable,
    scopes: ['chat'],
    meaning: 'Every target of the model is cooling off after failures (see retry-after).',
  },
  {
    code: 'overloaded',
    error: ErrorCode.ServiceUnavailable,
    scopes: ['chat'],
    meaning: 'This replica has TOLLGATE_MAX_INFLIGHT requests open (see retry-after).',
  },
  // The admin API
  {
    code: 'key_not_found',
    error: ErrorCode.NotFound,
    param: 'id',
    scopes: ['key'],
    meaning: 'No API key has this id.',
  },
  {
    code: 'team_not_found',
    error: ErrorCode.NotFound,
    param: 'id',
    scopes: ['team'],
    meaning: 'No team has this id.',
  },
  {
    code: 'team_not_found',
    error: ErrorCode.InvalidRequest,
    param: 'team_id',
    scopes: ['team-ref'],
    meaning: '`team_id` names no team.',
  },
  {
    code: 'key_revoked',
    error: ErrorCode.InvalidRequest,
    status: 409,
    param: 'id',
    scopes: ['key-rotate'],
    meaning: 'A revoked key cannot be rotated; create a new key.',
  },
  {
    code: 'key_expired',
    error: ErrorCode.InvalidRequest,
    status: 409,
    param: 'id',
    scopes: ['key-rotate'],
    meaning: 'An expired key cannot be rotated; extend its expires_at first.',
  },
  {
    code: 'team_not_empty',
    error: ErrorCode.InvalidRequest,
    status: 409,
    param: 'id',
    scopes: ['team-delete'],
    meaning: 'Keys that are not revoked still belong to the team.',
  },
  // Anywhere
  {
    code: 'service_unavailable',
    error: ErrorCode.ServiceUnavailable,
    scopes: ['any'],
    meaning:
      'The gateway is shutting down, or its database (or Redis, with TOLLGATE_LIMITS_FAIL=closed) is unreachable.',
  },
  {
    code: 'internal_error',
    error: ErrorCode.Internal,
    scopes: ['any'],
    meaning: 'The gateway hit an internal error.',
  },
  {
    code: 'unknown_url',
    error: ErrorCode.NotFound,
    scopes: [],
    meaning: 'No route matches the method and path.',
  },
] as const satisfies readonly WireCodeEntry[];

/** An `error.code` the gateway sends of its own. */
export type WireCode = (typeof WIRE_CODES)[number]['code'];

declare const relayed: unique symbol;
/** An upstream provider's own `error.code`, relayed unchanged. */
export type UpstreamCode = string & { readonly [relayed]: true };

export function upstreamCode(code: string): UpstreamCode {
  return code as UpstreamCode;
}

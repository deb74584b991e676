/**
 * The tables as stored, identical on SQLite and PostgreSQL. Portable column types only:
 * times are epoch milliseconds (`bigint`), booleans are 0/1 integers, lists and maps are
 * JSON text, money is integer nano-dollars (1e-9 USD) so sums never drift.
 */
export interface ApiKeysTable {
  id: string;
  name: string;
  /** Hex SHA-256 of the whole key; the key itself is never stored. */
  key_hash: string;
  /** `tg-` plus the first characters of the key, for people to recognise it. */
  key_prefix: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  /** JSON array of allowed models, or null for all. */
  models: string | null;
  rpm: number | null;
  tpm: number | null;
  budget_nanos: number | bigint | null;
  budget_period: string | null;
  /** JSON object. */
  metadata: string | null;
  /** The team the key belongs to (0003). */
  team_id: string | null;
  max_parallel: number | null;
  /** Hex SHA-256 of the secret the last rotation replaced (0004). */
  previous_key_hash: string | null;
  /** Until when (epoch ms, exclusive) that secret is still accepted (0004). */
  previous_expires_at: number | null;
}

/** A group of keys sharing limits, budget and allowlist (0003). */
export interface TeamsTable {
  id: string;
  name: string;
  created_at: number;
  /** JSON array of allowed models, or null for all. */
  models: string | null;
  rpm: number | null;
  tpm: number | null;
  max_parallel: number | null;
  budget_nanos: number | bigint | null;
  budget_period: string | null;
  /** JSON object. */
  metadata: string | null;
}

export interface UsageLogTable {
  id: string;
  request_id: string;
  created_at: number;
  key_id: string | null;
  requested_model: string | null;
  provider: string | null;
  model: string | null;
  stream: number;
  status_code: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_nanos: number | bigint | null;
  cost_reason: string | null;
  latency_ms: number;
  ttft_ms: number | null;
  error_type: string | null;
  error_code: string | null;
  partial: number;
  usage_estimated: number;
  /** The OpenAI `user` field (`user` is reserved in PostgreSQL). */
  end_user: string | null;
  /** Upstream tries made (retries and fallbacks included); 0 when none was made. */
  attempts: number;
  /** The key's team when the request was made (0003). */
  team_id: string | null;
  /** W3C trace id of the request, 32 hex digits (0004). */
  trace_id: string | null;
}

export interface StorageSchema {
  api_keys: ApiKeysTable;
  usage_log: UsageLogTable;
  teams: TeamsTable;
}

import type { UsageEntryDto } from './dto/usage-entry.dto.js';

/**
 * The CSV export's columns: every field of a usage log entry, in the entry's order (the
 * interface's order, with `requested_model`, `cost_reason`, `error_code`,
 * `usage_estimated` and `user` beside their neighbours). The type checker keeps it
 * complete: a field added to the entry and not here fails to compile.
 */
export const USAGE_CSV_COLUMNS = Object.keys({
  id: true,
  request_id: true,
  created_at: true,
  key_id: true,
  team_id: true,
  requested_model: true,
  provider: true,
  model: true,
  stream: true,
  status_code: true,
  prompt_tokens: true,
  completion_tokens: true,
  total_tokens: true,
  cached_tokens: true,
  cache_write_tokens: true,
  reasoning_tokens: true,
  cost_usd: true,
  cost_reason: true,
  latency_ms: true,
  ttft_ms: true,
  error_type: true,
  error_code: true,
  partial: true,
  usage_estimated: true,
  user: true,
  attempts: true,
  trace_id: true,
} satisfies Record<keyof UsageEntryDto, true>) as ReadonlyArray<keyof UsageEntryDto>;

/** RFC 4180 line ending. */
const CRLF = '\r\n';
/** Quoted when it holds a separator, a quote or a line break. */
const NEEDS_QUOTES = /[",\r\n]/;
/**
 * A cell a spreadsheet would run as a formula (or that some strip before doing so).
 * Only text cells can start so: numbers are written by the gateway and never negative.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell. Text that a spreadsheet would take for a formula gets a leading `'`
 * (OWASP's advice for CSV injection): model names, user ids and key ids come from callers.
 * Null is an empty cell; numbers never use exponent notation.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatNumber(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const USAGE_CSV_HEADER = USAGE_CSV_COLUMNS.join(',') + CRLF;

/** One entry as a CSV line, CRLF-terminated. */
export function usageCsvLine(entry: UsageEntryDto): string {
  let line = '';
  for (let i = 0; i < USAGE_CSV_COLUMNS.length; i++) {
    if (i > 0) line += ',';
    line += csvCell(entry[USAGE_CSV_COLUMNS[i]]);
  }
  return line + CRLF;
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  // Costs are whole nano-dollars and times are fractions of milliseconds: 9 decimals
  // show them exactly, where `String` would write `8.4e-7`.
  return n.toFixed(9).replace(/\.?0+$/, '');
}

/** Whether a request's `Accept` asks for CSV (`text/csv`, not refused with `q=0`). */
export function acceptsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    return type === 'text/csv' && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

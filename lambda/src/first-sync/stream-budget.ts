import { ConfigError } from '../errors.js';
import { StreamBudgetExceededError } from './errors.js';

/** How long a DynamoDB stream keeps a record. */
export const STREAM_RETENTION_MS = 24 * 3600 * 1000;

/** Default time kept for the mapping's catch-up after the load: STREAM_RESERVE_SECONDS. */
export const DEFAULT_STREAM_RESERVE_SECONDS = 3600;

/** At most 23 h: a larger reserve leaves no time to load at all. */
const MAX_STREAM_RESERVE_SECONDS = 23 * 3600;

/** Reads STREAM_RESERVE_SECONDS (whole seconds, 0 to 23 h); throws ConfigError naming it. */
export function parseStreamReserveSeconds(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_STREAM_RESERVE_SECONDS;
  const v = Number(raw.trim());
  if (!Number.isInteger(v) || v < 0 || v > MAX_STREAM_RESERVE_SECONDS) {
    throw new ConfigError(
      'STREAM_RESERVE_SECONDS',
      `must be a whole number of seconds from 0 to ${MAX_STREAM_RESERVE_SECONDS} (23 h) kept for the stream's catch-up after the load, got "${raw}"`,
    );
  }
  return v;
}

// Below this a number is epoch seconds (this many ms is 1973; this many s is the year 5138).
const SECONDS_BELOW = 1e11;

/**
 * The export's time T0 in epoch ms, as the state machine passes DescribeExport's
 * ExportTime: an ISO-8601 string, or a number of epoch seconds or milliseconds (the SDK
 * integrations have used both). Undefined when absent; `fail` builds the error otherwise.
 */
export function parseExportTime(value: unknown, fail: (detail: string) => Error): number | undefined {
  if (value === undefined || value === null) return undefined;
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    ms = value < SECONDS_BELOW ? value * 1000 : value;
  } else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) ms = parsed;
  }
  if (ms === undefined) {
    throw fail(
      `must be the export's ExportTime, an ISO-8601 time or epoch seconds, got ${JSON.stringify(value)}`,
    );
  }
  return Math.round(ms);
}

/** The last moment (epoch ms) the load may still be running: T0 + 24 h - reserve. */
export function loadDeadline(exportTimeMs: number, reserveSeconds: number): number {
  return exportTimeMs + STREAM_RETENTION_MS - reserveSeconds * 1000;
}

/**
 * Throws StreamBudgetExceededError when `now` is past the load's deadline: the records
 * written after T0 would be trimmed from the stream before the mapping could replay them,
 * and the targets would keep the snapshot's older values for good.
 */
export function checkStreamBudget(
  exportTimeMs: number | undefined,
  reserveSeconds: number,
  now: number,
  what = 'the load',
): void {
  if (exportTimeMs === undefined) return;
  const deadline = loadDeadline(exportTimeMs, reserveSeconds);
  if (now <= deadline) return;
  const iso = (ms: number) => new Date(ms).toISOString();
  throw new StreamBudgetExceededError(
    `${what} is past its stream budget: the export's time T0 is ${iso(exportTimeMs)}, the stream keeps ` +
      `records 24 h (until ${iso(exportTimeMs + STREAM_RETENTION_MS)}), and with ${reserveSeconds} s kept ` +
      `for the catch-up (STREAM_RESERVE_SECONDS) ${what} had to be done by ${iso(deadline)}; it is now ` +
      `${iso(now)}. The records written after T0 would be trimmed before the mapping could replay them. ` +
      'Raise target_write_capacity or max_concurrency so the load ends sooner, or start the first sync ' +
      'again (a new export, a new T0). This run fails and the state machine restores the mapping.',
  );
}

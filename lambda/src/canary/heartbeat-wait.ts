import { isRetryable } from '../batch-writer.js';

/** A heartbeat as written to the source: its random id and write time (epoch ms). */
export interface Heartbeat {
  readonly id: string;
  readonly at: number;
}

/** What a consistent read of a target found where the heartbeat goes: nothing, or its id and time. */
export type HeartbeatRead = { readonly id?: string; readonly at?: number } | undefined;

export type ReadHeartbeat = (abortSignal: AbortSignal) => Promise<HeartbeatRead>;

export interface WaitOptions {
  readonly missThresholdMs: number;
  readonly pollIntervalMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface ArrivalResult {
  /** Seen within the threshold. */
  readonly arrived: boolean;
  /** Milliseconds from the write to the read that first saw it; absent when never seen. */
  readonly latencyMs?: number;
  /** Consistent reads made. */
  readonly reads: number;
  /** The last read error, when reads failed; with `gaveUp`, one that retrying cannot fix. */
  readonly error?: Error;
  readonly gaveUp?: boolean;
}

/**
 * True when the target holds our heartbeat or a later one. A later heartbeat (an
 * overlapping run's) follows ours on the same key through the stream, so ours was applied
 * first, or merged into it by the replicator, which keeps only a key's last change per batch.
 */
export function hasArrived(read: HeartbeatRead, heartbeat: Heartbeat): boolean {
  if (read === undefined) return false;
  return read.id === heartbeat.id || (read.at !== undefined && read.at >= heartbeat.at);
}

/**
 * Polls one target with consistent reads until the heartbeat is there or the threshold
 * has passed since its write. The latency is counted to the end of the read that saw it,
 * so it is an upper bound, at most one poll interval plus one read above the truth.
 * Read errors are retried at the next poll (a throttled or briefly unreachable target
 * may answer before the threshold); an error no retry can fix (access denied, no such
 * table) ends the wait at once. A heartbeat first seen after the threshold is missing,
 * with its latency still given.
 */
export async function waitForHeartbeat(
  read: ReadHeartbeat,
  heartbeat: Heartbeat,
  options: WaitOptions,
): Promise<ArrivalResult> {
  const deadline = heartbeat.at + options.missThresholdMs;
  let reads = 0;
  let error: Error | undefined;
  for (;;) {
    const remaining = deadline - options.now();
    try {
      reads++;
      // A read that hangs must not hold the run past the threshold for long.
      const found = await read(AbortSignal.timeout(Math.max(1_000, remaining)));
      const seenAt = options.now();
      if (hasArrived(found, heartbeat)) {
        const latencyMs = Math.max(0, seenAt - heartbeat.at);
        return { arrived: latencyMs <= options.missThresholdMs, latencyMs, reads };
      }
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
      if (isPermanent(error)) return { arrived: false, reads, error, gaveUp: true };
    }
    const left = deadline - options.now();
    if (left <= 0) return { arrived: false, reads, ...(error ? { error } : {}) };
    await options.sleep(Math.min(options.pollIntervalMs, left));
  }
}

/** Errors a later read would meet again; timeouts are not among them (the next poll may be quick). */
function isPermanent(error: Error): boolean {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return false;
  return !isRetryable(error) && '$metadata' in error;
}

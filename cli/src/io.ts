/**
 * What a command may touch of the outside world. The bin passes the real process;
 * tests pass buffers, an AbortSignal and hooks, and run the same code in-process.
 */
export interface OutputStream {
  write(text: string): unknown;
  /** True when the stream is a terminal: progress is drawn as a bar instead of lines. */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliHooks {
  /** backfill: called with each scanned page before it is written (tests use it to race the copy). */
  beforePageWrite?(items: readonly Record<string, unknown>[]): Promise<void>;
  /** verify: called after the scans found candidates and before they are re-read. */
  beforeRecheck?(candidates: number): Promise<void>;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborting stops a long command at its next safe point (backfill: after the current page). */
  readonly signal?: AbortSignal;
  readonly hooks?: CliHooks;
}

export function processIo(signal?: AbortSignal): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, ...(signal ? { signal } : {}) };
}

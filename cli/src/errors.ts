/** Exit codes shared by every command. */
export const EXIT = { ok: 0, differences: 1, error: 2, interrupted: 130 } as const;

/** A flag or input file is wrong: nothing was done. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An AWS resource the command needs is missing or not readable (names which and why). */
export class ResourceError extends Error {
  override readonly name = 'ResourceError';
}

/** Writes to a target failed for good; the checkpoint (if any) still points before them. */
export class WriteFailedError extends Error {
  override readonly name = 'WriteFailedError';
}

/** The checkpoint file belongs to another table or segment count, or cannot be read. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** One line for stderr: AWS errors carry their code, our own errors their message. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err instanceof UsageError || err instanceof ResourceError || err instanceof CheckpointError) {
    return err.message;
  }
  const code = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
  return `${code}${err.message}`.split('\n')[0] as string;
}

/** Thrown by a command handler to end with a given exit code after it printed its result. */
export class ExitCode extends Error {
  override readonly name = 'ExitCode';
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

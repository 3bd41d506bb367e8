import { awsRequestId, innermostCause } from '#core';

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, differences: 1, error: 2, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The base of the CLI's own errors: the message is the line the user reads, written for
 * them; `cause` keeps the error underneath (an AWS error, a file system error).
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
}

/** A flag or input file is wrong: nothing was done. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
}

/** An AWS resource the command needs is missing or not readable (names which and why). */
export class ResourceError extends CliError {
  override readonly name = 'ResourceError';
}

/** Writes to a target failed for good; the checkpoint (if any) still points before them. */
export class WriteFailedError extends CliError {
  override readonly name = 'WriteFailedError';
}

/** The checkpoint file belongs to another table or segment count, or cannot be read. */
export class CheckpointError extends CliError {
  override readonly name = 'CheckpointError';
}

/**
 * One line for stderr. Usage, resource and checkpoint errors say all there is in their
 * message. Any other error is named (an AWS error code, WriteFailedError) and ends with
 * the request id of the AWS error underneath, if any: what CloudTrail and AWS support need.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err instanceof UsageError || err instanceof ResourceError || err instanceof CheckpointError) {
    return err.message;
  }
  const named = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
  const text = `${named}${err.message}`.split('\n')[0] as string;
  const requestId = awsRequestId(innermostCause(err));
  return requestId ? `${text} (request id ${requestId})` : text;
}

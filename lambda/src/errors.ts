/**
 * Named errors. Each carries enough context to act on without reading a stack trace, and
 * the error underneath, when there is one, as the standard `cause`.
 */

/** The base of the function's own errors: `cause` keeps what went wrong underneath. */
export class DdbsyncError extends Error {
  override readonly name: string = 'DdbsyncError';
}

/** A setting in the function's environment is missing or invalid. Raised at cold start. */
export class ConfigError extends DdbsyncError {
  override readonly name = 'ConfigError';
  constructor(
    readonly setting: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${setting}: ${detail}`, options);
  }
}

/**
 * The stream or its records contradict the configuration, e.g. a KEYS_ONLY stream
 * (no new images to copy) or an excluded attribute that is part of the table's key.
 * Every record of the batch is reported as failed: nothing is skipped silently.
 */
export class StreamConfigError extends DdbsyncError {
  override readonly name = 'StreamConfigError';
}

/** One stream record cannot be interpreted (missing Keys, unknown eventName, ...). */
export class MalformedRecordError extends DdbsyncError {
  override readonly name = 'MalformedRecordError';
  constructor(
    readonly sequenceNumber: string | undefined,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`record ${sequenceNumber ?? '(no sequence number)'}: ${detail}`, options);
  }
}

/**
 * A write to a target table failed for good (not retryable, or the deadline passed). `code`
 * is the AWS error code (or DeadlineExceeded, UnprocessedItems); `cause` is the SDK's error
 * itself, which holds the request id AWS support asks for.
 */
export class TargetWriteError extends DdbsyncError {
  override readonly name = 'TargetWriteError';
  constructor(
    readonly target: string,
    readonly code: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${target}: ${code}: ${detail}`, options);
  }
}

/** The innermost error of `err`'s chain of causes; `err` itself when it has none. */
export function innermostCause(err: Error): Error {
  let inner = err;
  // A few links at most in practice; the bound only guards against a cycle.
  for (let depth = 0; depth < 8 && inner.cause instanceof Error; depth++) inner = inner.cause;
  return inner;
}

/** The request id of an AWS SDK error (it is in `$metadata`); undefined for any other error. */
export function awsRequestId(err: Error): string | undefined {
  const id = (err as { $metadata?: { requestId?: unknown } }).$metadata?.requestId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** A drift run could not check some targets (named, with the first error); the others were checked. */
export class DriftCheckError extends DdbsyncError {
  override readonly name = 'DriftCheckError';
  constructor(readonly failures: readonly { target: string; error: string }[]) {
    super(
      `could not check ${failures.length} target${failures.length === 1 ? '' : 's'}: ` +
        failures.map((f) => `${f.target}: ${f.error}`).join('; '),
    );
  }
}

/**
 * BatchGetItem kept leaving keys unprocessed (the table throttles the reads) through every
 * retry. Named so that a caller may back off longer before giving up.
 */
export class UnprocessedKeysError extends DdbsyncError {
  override readonly name = 'UnprocessedKeysError';
  constructor(
    readonly tableName: string,
    attempts: number,
  ) {
    super(`BatchGetItem on ${tableName} kept returning unprocessed keys (${attempts} attempts)`);
  }
}

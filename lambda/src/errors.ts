/**
 * Named errors. Each carries enough context to act on without reading a stack trace.
 */

/** A setting in the function's environment is missing or invalid. Raised at cold start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`${setting}: ${detail}`);
  }
}

/**
 * The stream or its records contradict the configuration, e.g. a KEYS_ONLY stream
 * (no new images to copy) or an excluded attribute that is part of the table's key.
 * Every record of the batch is reported as failed: nothing is skipped silently.
 */
export class StreamConfigError extends Error {
  override readonly name = 'StreamConfigError';
}

/** One stream record cannot be interpreted (missing Keys, unknown eventName, ...). */
export class MalformedRecordError extends Error {
  override readonly name = 'MalformedRecordError';
  constructor(
    readonly sequenceNumber: string | undefined,
    detail: string,
  ) {
    super(`record ${sequenceNumber ?? '(no sequence number)'}: ${detail}`);
  }
}

/** A write to a target table failed for good (not retryable, or the deadline passed). */
export class TargetWriteError extends Error {
  override readonly name = 'TargetWriteError';
  constructor(
    readonly target: string,
    readonly code: string,
    detail: string,
  ) {
    super(`${target}: ${code}: ${detail}`);
  }
}

/** A drift run could not check some targets (named, with the first error); the others were checked. */
export class DriftCheckError extends Error {
  override readonly name = 'DriftCheckError';
  constructor(readonly failures: readonly { target: string; error: string }[]) {
    super(
      `could not check ${failures.length} target${failures.length === 1 ? '' : 's'}: ` +
        failures.map((f) => `${f.target}: ${f.error}`).join('; '),
    );
  }
}

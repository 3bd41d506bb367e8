/**
 * The loader's named errors. A Distributed Map child that fails shows the error's name and
 * message (States.TaskFailed), so each one says which file, line and target, never what
 * an item holds.
 */

/** The invocation's event is not `{ "bucket": "...", "key": "...", "startLine": n }`. */
export class LoaderEventError extends Error {
  override readonly name = 'LoaderEventError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`event.${field}: ${detail}`);
  }
}

/**
 * A line of an export data file is not a DynamoDB JSON item (or not one this table can
 * take). `line` counts from 1, as editors and `sed -n` do; the event's startLine and the
 * result's nextLine count lines already done, so line N here is startLine N - 1.
 */
export class ExportLineError extends Error {
  override readonly name = 'ExportLineError';
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file} line ${line}: ${detail}`);
  }
}

/**
 * The export data file could not be read: a missing object, access denied, a stream cut
 * off, data that is not gzip. Transient causes go away when the state machine retries.
 */
export class ExportReadError extends Error {
  override readonly name = 'ExportReadError';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** A target refused a write for good (access denied, missing table, validation, ...). */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
  constructor(
    readonly target: string,
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`target ${target} refused the item of ${file} line ${line}: ${detail}`);
  }
}

/**
 * An invocation wrote nothing before its deadline: every write was throttled or failed
 * transiently until then. Returning "not done" from the same line would loop for ever.
 */
export class LoadStalledError extends Error {
  override readonly name = 'LoadStalledError';
}

/** The table's key attribute names could not be found (DescribeTable of the first target failed). */
export class KeySchemaError extends Error {
  override readonly name = 'KeySchemaError';
}

// --- The verifier's errors (verify-*.ts) ---

/** The verifier's event is not one of its three modes, or a field of it is wrong. */
export class VerifyEventError extends Error {
  override readonly name = 'VerifyEventError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`event.${field}: ${detail}`);
  }
}

/**
 * A table could not be read for the comparison (access denied, missing table, unprocessed
 * keys that never cleared). Names the table (source or target) and the AWS error, never a key.
 */
export class VerifyReadError extends Error {
  override readonly name = 'VerifyReadError';
  constructor(
    readonly table: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`cannot read ${table}: ${detail}`, options);
  }
}

/** A report object could not be written, listed or read in S3. */
export class VerifyReportError extends Error {
  override readonly name = 'VerifyReportError';
}

/** An invocation compared nothing before its deadline: continuing from the same place would loop for ever. */
export class VerifyStalledError extends Error {
  override readonly name = 'VerifyStalledError';
}

// --- Import path and stream budget (issue 12, IMPORT part) ------------------------------

/**
 * The load (or import) would end too late for the stream: its records live 24 hours, and
 * the mapping must replay every change since T0 after the snapshot is in. Not retried: time
 * only makes it worse.
 */
export class StreamBudgetExceededError extends Error {
  override readonly name = 'StreamBudgetExceededError';
}

/** The importer's event is not one of the shapes the state machine sends. */
export class ImporterEventError extends Error {
  override readonly name = 'ImporterEventError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`event.${field}: ${detail}`);
  }
}

/** ImportTable only creates tables: a target that exists cannot be imported into. */
export class TargetTableExistsError extends Error {
  override readonly name = 'TargetTableExistsError';
  constructor(readonly target: string) {
    super(
      `ImportTable creates a new table; ${target} exists; delete it, or use --load map (which writes into an existing table)`,
    );
  }
}

/** The export cannot be imported within one of ImportTable's documented limits; nothing was started. */
export class ImportLimitExceededError extends Error {
  override readonly name = 'ImportLimitExceededError';
  constructor(
    readonly limit: string,
    detail: string,
  ) {
    super(`${limit}: ${detail}; nothing was imported; use --load map`);
  }
}

/**
 * Starting the imports failed part way: the ones already started go on and create their
 * tables, which a new run would refuse. The message lists them so they can be deleted.
 */
export class ImportStartError extends Error {
  override readonly name = 'ImportStartError';
}

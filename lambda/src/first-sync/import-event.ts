import { ImporterEventError } from './errors.js';
import { parseExportTime } from './stream-budget.js';

/** `{"action":"start", ...}`: import the export's data files into a new table per target. */
export interface StartImportsEvent {
  readonly action: 'start';
  readonly bucket: string;
  /** The account that owns the export bucket (ImportTable's S3BucketOwner). */
  readonly bucketOwner: string;
  /** The export's data prefix, <prefix>/AWSDynamoDB/<export id>/data/ ($.dataFiles.prefix). */
  readonly prefix: string;
  /** table/<name>/export/<id>: names the source table, and keys the imports' client tokens. */
  readonly exportArn: string;
}

/** One started import, as start returns it and describe takes it back. */
export interface StartedImport {
  /** <account>/<region>/<table>, the replicator's Target label. */
  readonly target: string;
  readonly importArn: string;
}

export interface StartImportsResult {
  readonly imports: StartedImport[];
  /** The data files imported, and their stored (compressed) bytes, as the limits were checked. */
  readonly objects: number;
  readonly bytes: number;
}

/** `{"action":"describe", "imports": [...]}`: how the imports are doing. */
export interface DescribeImportsEvent {
  readonly action: 'describe';
  readonly imports: readonly StartedImport[];
  /** The export's ItemCount: a completed import holding fewer items failed. Optional. */
  readonly expectedItems?: number;
  /** The export's time T0 (epoch ms): an import still running past the stream budget fails. Optional. */
  readonly exportTime?: number;
}

export interface FailedImport {
  readonly target: string;
  readonly importArn: string;
  readonly status: string;
  readonly failureCode: string;
  readonly failureMessage: string;
}

export interface DescribeImportsResult {
  /** Every import has ended, or one has failed (the state machine stops waiting then). */
  readonly done: boolean;
  readonly failed: FailedImport[];
  /** Sums over the imports. */
  readonly items: { readonly processed: number; readonly imported: number; readonly errors: number };
  readonly imports: { readonly target: string; readonly status: string; readonly imported: number }[];
  /** One line for people: the state machine's failure cause and the CLI's status. */
  readonly message: string;
}

export type ImporterEvent = StartImportsEvent | DescribeImportsEvent;

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ACCOUNT = /^\d{12}$/;
const EXPORT_ARN =
  /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]{3,255}\/export\/[\w.-]+$/;
const IMPORT_ARN =
  /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]{3,255}\/import\/[\w.-]+$/;

/** Checks the event the state machine built; unknown fields are ignored. */
export function parseImporterEvent(event: unknown): ImporterEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new ImporterEventError('(event)', 'must be an object with "action": "start" or "describe"');
  }
  const e = event as Record<string, unknown>;
  if (e.action === 'start') return parseStart(e);
  if (e.action === 'describe') return parseDescribe(e);
  throw new ImporterEventError(
    'action',
    `must be "start" or "describe", got ${JSON.stringify(e.action) ?? 'undefined'}`,
  );
}

function parseStart(e: Record<string, unknown>): StartImportsEvent {
  const bucket = field(e, 'bucket', (v) => BUCKET.test(v), 'an S3 bucket name');
  const bucketOwner = field(e, 'bucketOwner', (v) => ACCOUNT.test(v), 'a 12-digit account id');
  const prefix = field(
    e,
    'prefix',
    (v) => v.endsWith('/') && Buffer.byteLength(v) <= 1024,
    "the export's data prefix, ending in /",
  );
  const exportArn = field(
    e,
    'exportArn',
    (v) => EXPORT_ARN.test(v),
    'an export ARN (table/<name>/export/<id>)',
  );
  return { action: 'start', bucket, bucketOwner, prefix, exportArn };
}

function parseDescribe(e: Record<string, unknown>): DescribeImportsEvent {
  if (!Array.isArray(e.imports) || e.imports.length === 0) {
    throw new ImporterEventError('imports', 'must be the non-empty list that "start" returned');
  }
  const imports = e.imports.map((raw, i): StartedImport => {
    const imp = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    return {
      target: field(imp, 'target', (v) => v !== '', 'a target label', `imports[${i}].`),
      importArn: field(imp, 'importArn', (v) => IMPORT_ARN.test(v), 'an import ARN', `imports[${i}].`),
    };
  });
  const expected = e.expectedItems;
  if (
    expected !== undefined &&
    !(typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0)
  ) {
    throw new ImporterEventError(
      'expectedItems',
      `must be the export's ItemCount, got ${JSON.stringify(expected)}`,
    );
  }
  const exportTime = parseExportTime(e.exportTime, (detail) => new ImporterEventError('exportTime', detail));
  return {
    action: 'describe',
    imports,
    ...(expected === undefined ? {} : { expectedItems: expected }),
    ...(exportTime === undefined ? {} : { exportTime }),
  };
}

function field(
  e: Record<string, unknown>,
  name: string,
  ok: (v: string) => boolean,
  what: string,
  at = '',
): string {
  const v = e[name];
  if (typeof v !== 'string' || !ok(v)) {
    throw new ImporterEventError(`${at}${name}`, `must be ${what}, got ${JSON.stringify(v) ?? 'undefined'}`);
  }
  return v;
}

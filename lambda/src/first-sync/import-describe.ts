import { DescribeImportCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ImporterEventError } from './errors.js';
import type {
  DescribeImportsEvent,
  DescribeImportsResult,
  FailedImport,
  StartedImport,
} from './import-event.js';
import { checkStreamBudget } from './stream-budget.js';

export interface DescribeDeps {
  /** The client of the target an import is for (as start labelled it). */
  readonly clientFor: (imp: StartedImport) => DynamoDBClient | undefined;
  readonly streamReserveSeconds: number;
  readonly now: () => number;
}

const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/**
 * DescribeImport of each import. An import fails when it FAILED, was CANCELLED (or is
 * being cancelled), or COMPLETED with items it could not import (ImportTable skips a bad
 * line, counts it in ErrorCount and still completes; a table missing items is no copy), or
 * with fewer items than the export holds. Throws StreamBudgetExceededError when imports
 * are still running past the stream budget.
 */
export async function describeImports(
  deps: DescribeDeps,
  event: DescribeImportsEvent,
): Promise<DescribeImportsResult> {
  const described = await Promise.all(
    event.imports.map(async (imp) => {
      const client = deps.clientFor(imp);
      if (!client) {
        throw new ImporterEventError('imports', `${imp.target} is not one of REPLICATION_TARGETS`);
      }
      const out = await client.send(new DescribeImportCommand({ ImportArn: imp.importArn }));
      return { imp, d: out.ImportTableDescription ?? {} };
    }),
  );
  const failed: FailedImport[] = [];
  const items = { processed: 0, imported: 0, errors: 0 };
  const imports: DescribeImportsResult['imports'] = [];
  for (const { imp, d } of described) {
    const status = d.ImportStatus ?? 'UNKNOWN';
    const imported = d.ImportedItemCount ?? 0;
    const errors = d.ErrorCount ?? 0;
    items.processed += d.ProcessedItemCount ?? 0;
    items.imported += imported;
    items.errors += errors;
    imports.push({ target: imp.target, status, imported });
    const fail = (failureCode: string, failureMessage: string) =>
      failed.push({ target: imp.target, importArn: imp.importArn, status, failureCode, failureMessage });
    const logs = d.CloudWatchLogGroupArn ? ` (the log group ${d.CloudWatchLogGroupArn} names them)` : '';
    if (status === 'FAILED' || status === 'CANCELLED' || status === 'CANCELLING') {
      fail(d.FailureCode ?? status, d.FailureMessage ?? `the import is ${status}`);
    } else if (status === 'COMPLETED' && errors > 0) {
      fail('ItemErrors', `${errors} of ${d.ProcessedItemCount ?? '?'} items could not be imported${logs}`);
    } else if (
      status === 'COMPLETED' &&
      event.expectedItems !== undefined &&
      imported !== event.expectedItems
    ) {
      fail('ItemCountMismatch', `imported ${imported} items; the export holds ${event.expectedItems}`);
    }
  }
  const ended = imports.every((i) => ENDED.has(i.status));
  if (!ended && failed.length === 0) {
    checkStreamBudget(event.exportTime, deps.streamReserveSeconds, deps.now(), 'the import');
  }
  const done = ended || failed.length > 0;
  const message =
    failed.length > 0
      ? `Import failed: ${failed
          .map((f) => `${f.target}: ${f.status} ${f.failureCode}: ${f.failureMessage} (${f.importArn})`)
          .join('; ')}. Delete the tables these imports created before starting the first sync again.`
      : `${imports.filter((i) => i.status === 'COMPLETED').length} of ${imports.length} imports completed, ` +
        `${items.imported} items imported`;
  return { done, failed, items, imports, message };
}

/**
 * Reads one first-sync execution from the Step Functions and DynamoDB APIs into a Snapshot:
 * DescribeExecution (status, input, error, output), GetExecutionHistory (the export ARN, the
 * Map Run, the imports), DescribeExport (state, T0, item count), DescribeMapRun (files), and
 * the Map Run's child executions (ListExecutions + DescribeExecution) for the items each
 * finished file wrote and the reason of each failed one.
 *
 * Items written come from the children's outputs rather than the FirstSyncItemsWritten metric:
 * they are exact and final when a file ends, need no CloudWatch access or minutes of metric
 * delay, and cannot mix in another run's writes (the metric's only dimension is the service).
 * Each finished child is described once and cached; a refresh reads a bounded number of new
 * ones, so a run of tens of thousands of files is caught up over a few refreshes.
 */
import { DescribeExportCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  type ExecutionListItem,
  type HistoryEvent,
  paginateGetExecutionHistory,
  paginateListExecutions,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { type HistoryFacts, historyFacts } from './history.js';
import {
  type ExecutionFacts,
  type ExportFacts,
  type FailedFile,
  failureReason,
  type LoadFacts,
  type Snapshot,
} from './model.js';

export interface ReaderClients {
  readonly sfn: SFNClient;
  /** A DynamoDB client for a region (the export's, from its ARN). */
  dynamo(region: string): DynamoDBClient;
}

interface ChildRead {
  readonly status: string;
  readonly items: number;
  readonly failed?: FailedFile;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export class FirstSyncReader {
  private readonly children = new Map<string, ChildRead>();
  private exportDone: ExportFacts | undefined;

  constructor(
    private readonly clients: ReaderClients,
    /** New finished children described per refresh (all of them when the run has ended). */
    private readonly childReadsPerRefresh = 200,
  ) {}

  async snapshot(executionArn: string): Promise<Snapshot> {
    const { sfn } = this.clients;
    const ex = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const input = parseObject(ex.input);
    const execution: ExecutionFacts = {
      arn: executionArn,
      status: ex.status ?? 'UNKNOWN',
      startDate: ex.startDate ?? new Date(0),
      ...(ex.stopDate ? { stopDate: ex.stopDate } : {}),
      ...(ex.error ? { error: ex.error } : {}),
      ...(ex.cause ? { cause: ex.cause } : {}),
      ...(typeof input.action === 'string' ? { action: input.action } : {}),
      ...(typeof input.load === 'string' ? { load: input.load } : {}),
      ...(ex.output ? { output: ex.output } : {}),
    };
    const ended = TERMINAL.has(execution.status);
    const history = await this.history(executionArn);
    const exported = history.exportArn ? await this.describeExport(history.exportArn) : undefined;
    const runs: LoadFacts[] = [];
    for (const run of history.mapRuns) runs.push(await this.load(run.arn, run.name, ended));
    const [load, ...laterRuns] = runs;
    return {
      execution,
      ...(exported ? { export: exported } : {}),
      ...(load ? { load } : {}),
      ...(laterRuns.length > 0 ? { laterRuns } : {}),
      imports: history.imports,
    };
  }

  /**
   * The history's newest events, back to the first page that names the export: every state's
   * output after ExportTable carries the export's ARN, and the Map Run and the imports come
   * after it, so a long run's export polls are not read again at every refresh.
   */
  private async history(executionArn: string): Promise<HistoryFacts> {
    const events: HistoryEvent[] = [];
    for await (const page of paginateGetExecutionHistory(
      { client: this.clients.sfn },
      { executionArn, includeExecutionData: true, reverseOrder: true, maxResults: 200 },
    )) {
      events.push(...(page.events ?? []));
      if (historyFacts(page.events ?? []).exportArn) break;
    }
    // In the order they happened (event ids count up), whichever order the service answered in.
    return historyFacts(events.sort((a, b) => (a.id ?? 0) - (b.id ?? 0)));
  }

  private async describeExport(arn: string): Promise<ExportFacts> {
    if (this.exportDone?.arn === arn) return this.exportDone;
    const region = arn.split(':')[3] || undefined;
    const out = await this.clients.dynamo(region ?? '').send(new DescribeExportCommand({ ExportArn: arn }));
    const d = out.ExportDescription;
    const facts: ExportFacts = {
      arn,
      ...(d?.ExportStatus ? { status: d.ExportStatus } : {}),
      ...(d?.ExportTime ? { exportTime: d.ExportTime } : {}),
      ...(d?.ItemCount !== undefined ? { itemCount: d.ItemCount } : {}),
      ...(d?.FailureCode || d?.FailureMessage
        ? { failure: [d.FailureCode, d.FailureMessage].filter(Boolean).join(': ') }
        : {}),
    };
    if (facts.status === 'COMPLETED' || facts.status === 'FAILED') this.exportDone = facts;
    return facts;
  }

  private async load(mapRunArn: string, name: string | undefined, ended: boolean): Promise<LoadFacts> {
    const { sfn } = this.clients;
    const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    const c = run.itemCounts;
    const children: ExecutionListItem[] = [];
    for await (const page of paginateListExecutions({ client: sfn }, { mapRunArn, maxResults: 1000 })) {
      children.push(...(page.executions ?? []));
    }
    const unread = children.filter(
      (child) =>
        child.executionArn && TERMINAL.has(child.status ?? '') && !this.children.has(child.executionArn),
    );
    // Failed files first: their reasons matter more than the count of items.
    unread.sort((a, b) => Number(b.status !== 'SUCCEEDED') - Number(a.status !== 'SUCCEEDED'));
    const toRead = ended ? unread : unread.slice(0, this.childReadsPerRefresh);
    await inBatches(toRead, 8, (child) => this.readChild(child.executionArn as string));
    let itemsWritten = 0;
    const failedFiles: FailedFile[] = [];
    for (const read of this.childrenOf(children)) {
      itemsWritten += read.items;
      if (read.failed) failedFiles.push(read.failed);
    }
    failedFiles.sort((a, b) => a.key.localeCompare(b.key));
    return {
      mapRunArn,
      ...(name ? { name } : {}),
      ...(run.status ? { status: run.status } : {}),
      ...(run.startDate ? { startDate: run.startDate } : {}),
      ...(run.stopDate ? { stopDate: run.stopDate } : {}),
      files: {
        total: c?.total ?? 0,
        pending: c?.pending ?? 0,
        running: c?.running ?? 0,
        succeeded: c?.succeeded ?? 0,
        failed: c?.failed ?? 0,
        timedOut: c?.timedOut ?? 0,
        aborted: c?.aborted ?? 0,
      },
      itemsWritten,
      filesUnread: unread.length - toRead.length,
      failedFiles,
    };
  }

  private *childrenOf(children: readonly ExecutionListItem[]): Generator<ChildRead> {
    for (const child of children) {
      const read = child.executionArn ? this.children.get(child.executionArn) : undefined;
      if (read) yield read;
    }
  }

  private async readChild(executionArn: string): Promise<void> {
    const out = await this.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = out.status ?? 'UNKNOWN';
    const input = parseObject(out.input);
    const output = parseObject(out.output);
    // The loader's per-file result counts `items`; a verifier's may count `compared` instead.
    const items = numberOr0(output.items ?? output.compared);
    // A file's child names its object; a verify segment's, its segment number.
    const key =
      typeof input.key !== 'string'
        ? typeof input.segment === 'number'
          ? `segment ${input.segment}`
          : executionArn
        : typeof input.bucket === 'string'
          ? `s3://${input.bucket}/${input.key}`
          : input.key;
    this.children.set(executionArn, {
      status,
      items,
      ...(status === 'SUCCEEDED'
        ? {}
        : { failed: { key, reason: failureReason(out.error ?? status, out.cause) } }),
    });
  }
}

/** Runs `fn` on every element, at most `width` at a time. */
async function inBatches<T>(all: readonly T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < all.length; i += width) await Promise.all(all.slice(i, i + width).map(fn));
}

function parseObject(text: string | undefined): Record<string, unknown> {
  try {
    const v = JSON.parse(text ?? '') as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function numberOr0(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

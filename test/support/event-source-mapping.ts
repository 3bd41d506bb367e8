/**
 * Emulates what Lambda's event source mapping does for a DynamoDB stream trigger: read
 * every shard with the DynamoDB Streams API, filter, hand batches of records to the function,
 * checkpoint, retry, bisect, and send what it gives up on to the on-failure destination.
 * The demo and the tests use it to deliver real stream records (moto's own mapping runs
 * functions only through Docker, and is not used).
 *
 *   const esm = new LocalEventSourceMapping({ settings, streams, invoke: (e) => fn.invoke(e), sqs });
 *   await esm.start();          // fixes a LATEST starting position, like creating the mapping
 *   ...write to the table...
 *   const stats = await esm.drain(); // delivers everything up to the current end of the stream
 *
 * Semantics, per the Lambda documentation for DynamoDB streams:
 * - FilterCriteria: a record that matches none of the patterns is dropped by the mapping,
 *   never delivered, and counts as processed (cli/src/event-filter.ts has the syntax; ddbsync redrive uses it too).
 *   https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 * - A batch holds at most batchSize (matching) records and at most 6 MB of event payload.
 * - ParallelizationFactor N: each shard's records are spread over N lanes by item key
 *   (partition and sort key), each lane batched and invoked on its own, concurrently with the
 *   others; one item's records stay in order ("Lambda still ensures in-order processing at the
 *   item (partition and sort key) level", with-ddb.html, concurrent batches per shard).
 * - MaximumBatchingWindowInSeconds bounds how long Lambda waits for a batch to fill; drain()
 *   is one poll that finds every record already written, so batches are full whatever the
 *   window, which is what Lambda does when records are waiting. The window changes only when
 *   an invocation happens, not what it holds.
 * - TumblingWindowInSeconds (state carried between invocations) is not emulated:
 *   settingsFromMapping throws MappingSettingsError when it is set.
 * - Success (no error; with ReportBatchItemFailures, an empty or absent batchItemFailures)
 *   checkpoints after the batch.
 * - A partial failure (ReportBatchItemFailures) checkpoints before the lowest reported
 *   sequence number and retries from there, which uses one retry; an identifier that is empty
 *   or not in the batch fails the whole batch, as Lambda does.
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 * - A function error (thrown, timeout, crash, init failure) retries the whole batch, or, with
 *   BisectBatchOnFunctionError, splits a batch of two or more records in halves and retries
 *   those. "Splitting a batch does not count towards the retry quota": only a batch sent
 *   again unsplit uses a retry, so with MaximumRetryAttempts = 0 a failing batch is still
 *   bisected down to single records before any is discarded.
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 * - Records whose batch has used its retries, or older than maximumRecordAgeInSeconds, are
 *   discarded and the mapping moves past them. Per invoked batch, one on-failure invocation
 *   record per condition goes to the SQS destination, spanning the first to the last record
 *   discarded from that batch, successful records between them included: "Lambda
 *   consolidates failed messages metadata when writing to the OnFailure destination", so
 *   its BatchSize may exceed 1 after bisection (CloudFormation AWS::Lambda::EventSourceMapping,
 *   BisectBatchOnFunctionError).
 * - With maximumRetryAttempts = -1 (infinite) Lambda would block the shard until the
 *   records expire (24 h); here a batch that still fails after `infiniteRetryCap`
 *   attempts raises ShardBlockedError instead.
 * - Parent shards are read to their end before their children. A shard that appears
 *   after start() is read from TRIM_HORIZON.
 *
 * "The current end" of an open shard is the first GetRecords that returns no records.
 *
 * moto 5.2.1 quirks (checked against its source and by calling it):
 * - Stock moto has one shard per stream with a fixed id that never closes; the launcher
 *   test/support/moto_server.py (startLocalAws) adds shard rollover, so closed parents and
 *   children can be tested.
 * - Iterators never expire and can be reused; an empty GetRecords returns an iterator at
 *   the same position, so records written later are found by the next drain().
 * - LATEST is "starting sequence number + records so far"; AT/AFTER_SEQUENCE_NUMBER work.
 * - Stream records carry awsRegion "us-east-1" whatever the table's region, and never a
 *   userIdentity (moto has no TTL process), so TTL deletes cannot be produced.
 * - If a Lambda event source mapping is created in moto for the stream (CreateEventSourceMapping,
 *   e.g. by Terraform), every later write to the table makes stock moto try to invoke the
 *   function through Docker and then EMPTIES the stream shard, even when that fails and
 *   even after the mapping is deleted. The launcher (startLocalAws) stops moto's own
 *   delivery for every mapping, so read the mapping's settings with settingsFromMapping()
 *   and deliver here; test/support/mapping-follower.ts delivers by the mapping's state.
 */
import { createHash, randomUUID } from 'node:crypto';
import type {
  DynamoDBStreamsClient,
  _Record as SdkStreamRecord,
  Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Item, StreamRecord } from '#core';
import { keyString, toLambdaRecord } from '#core';
import { compileFilterCriteria, FilterPatternError, type RecordFilter } from '../../cli/src/event-filter.js';
import { listShards, readToEnd, ShardCursor } from '../../cli/src/stream-reader.js';
import { MAX_PAYLOAD_BYTES } from './local-lambda.js';

/** The mapping's settings, named as in the Lambda API (camel-cased). */
export interface EsmSettings {
  readonly streamArn: string;
  readonly functionArn: string;
  /** 1-10,000; Lambda's default is 100. */
  readonly batchSize: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** -1 means infinite (Lambda's default). */
  readonly maximumRetryAttempts: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1 means infinite (Lambda's default). */
  readonly maximumRecordAgeInSeconds: number;
  /** FunctionResponseTypes includes ReportBatchItemFailures. */
  readonly reportBatchItemFailures: boolean;
  /** On-failure destination: an SQS queue ARN (as in DestinationConfig) or queue URL. */
  readonly onFailureDestination?: string;
  /** FilterCriteria.Filters[].Pattern; none (the default) delivers every record. */
  readonly filterPatterns?: readonly string[];
  /** 1-10 concurrent batches per shard; default 1. */
  readonly parallelizationFactor?: number;
  /** 0-300; default 0. See the file comment for why batches do not depend on it here. */
  readonly maximumBatchingWindowInSeconds?: number;
}

/** What an invocation returned; LocalLambda.invoke's outcome fits. */
export interface FunctionOutcome {
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  readonly requestId?: string;
}

export type InvokeFunction = (event: { Records: StreamRecord[] }) => Promise<FunctionOutcome>;

export interface LocalEventSourceMappingOptions {
  readonly settings: EsmSettings;
  readonly streams: DynamoDBStreamsClient;
  readonly invoke: InvokeFunction;
  /** Required when settings.onFailureDestination is set; in the queue's region. */
  readonly sqs?: SQSClient;
  /** Attempts after which an infinitely retried batch raises ShardBlockedError; default 100. */
  readonly infiniteRetryCap?: number;
  /** Pause before each retry; default 0 (Lambda backs off, tests need not wait). */
  readonly retryDelayMs?: number;
  readonly now?: () => number;
}

export interface DrainStats {
  /** Function invocations, first deliveries and retries. */
  invocations: number;
  /** Records read from the stream (each counted once), filtered out or not. */
  records: number;
  /** Invocations that re-delivered records already delivered once (retries and bisected halves). */
  retries: number;
  /** Records discarded: sent to the on-failure destination (or dropped when there is none). */
  sentToDlq: number;
  /** On-failure invocation records written (one per condition per invoked batch). */
  failureRecords: number;
  /** Records the filter criteria dropped (counted as processed); present only with filter criteria. */
  filtered?: number;
}

/** The invocation record Lambda writes to an on-failure destination for a DynamoDB stream. */
export interface OnFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  responseContext: {
    statusCode: number;
    executedVersion: string;
    /** "Unhandled" when the function failed; absent after a partial batch response. */
    functionError?: string;
  };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export class ShardBlockedError extends Error {
  override readonly name = 'ShardBlockedError';
  constructor(
    readonly shardId: string,
    readonly startSequenceNumber: string,
    attempts: number,
  ) {
    super(
      `shard ${shardId}: the batch from sequence number ${startSequenceNumber} still fails after ${attempts} attempts ` +
        'and MaximumRetryAttempts is -1; Lambda would retry until the records expire',
    );
  }
}

/** A setting the emulator cannot honour, or an invalid one: it refuses to start rather than ignore it. */
export class MappingSettingsError extends Error {
  override readonly name = 'MappingSettingsError';
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`${setting}: ${problem}`);
  }
}

function wholeNumberIn(setting: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw new MappingSettingsError(setting, `must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

/**
 * Settings from a GetEventSourceMapping (or CreateEventSourceMapping) response. Throws
 * MappingSettingsError for a setting that changes delivery and is not emulated.
 */
export function settingsFromMapping(mapping: EventSourceMappingConfiguration): EsmSettings {
  if (!mapping.EventSourceArn?.includes(':dynamodb:')) {
    throw new MappingSettingsError(
      'EventSourceArn',
      `"${mapping.EventSourceArn}" is not a DynamoDB stream ARN`,
    );
  }
  if (!mapping.FunctionArn) throw new MappingSettingsError('FunctionArn', 'is missing');
  const position = mapping.StartingPosition ?? 'TRIM_HORIZON';
  if (position !== 'TRIM_HORIZON' && position !== 'LATEST') {
    throw new MappingSettingsError('StartingPosition', `"${position}" is not TRIM_HORIZON or LATEST`);
  }
  if ((mapping.TumblingWindowInSeconds ?? 0) > 0) {
    throw new MappingSettingsError(
      'TumblingWindowInSeconds',
      `is ${mapping.TumblingWindowInSeconds}; tumbling windows (state carried between invocations) are not emulated`,
    );
  }
  const filters = mapping.FilterCriteria?.Filters ?? [];
  const patterns = filters.map((f, i) => {
    if (typeof f.Pattern !== 'string') {
      throw new MappingSettingsError(`FilterCriteria.Filters[${i}].Pattern`, 'is missing');
    }
    return f.Pattern;
  });
  const destination = mapping.DestinationConfig?.OnFailure?.Destination;
  return {
    streamArn: mapping.EventSourceArn,
    functionArn: mapping.FunctionArn,
    batchSize: mapping.BatchSize ?? 100,
    startingPosition: position,
    maximumRetryAttempts: mapping.MaximumRetryAttempts ?? -1,
    bisectBatchOnFunctionError: mapping.BisectBatchOnFunctionError ?? false,
    maximumRecordAgeInSeconds: mapping.MaximumRecordAgeInSeconds ?? -1,
    reportBatchItemFailures: (mapping.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    parallelizationFactor: mapping.ParallelizationFactor ?? 1,
    maximumBatchingWindowInSeconds: mapping.MaximumBatchingWindowInSeconds ?? 0,
    ...(patterns.length > 0 ? { filterPatterns: patterns } : {}),
    ...(destination ? { onFailureDestination: destination } : {}),
  };
}

interface ShardState {
  /** Where the next read starts (after the last batch checkpointed); opened at the first drain if absent. */
  cursor?: ShardCursor;
  /** Closed before start() with LATEST: nothing in it is delivered. */
  skipped?: boolean;
}

/** Closed and read to its end (or skipped). */
function finished(state: ShardState | undefined): boolean {
  return state?.skipped === true || state?.cursor?.closed === true;
}

interface PendingBatch {
  records: SdkStreamRecord[];
  /** Retries used by these records (splitting uses none). */
  retries: number;
  /** Invocations made with (a superset of) these records. */
  invokeCount: number;
  /** Whether these records have been delivered before. */
  redelivery: boolean;
}

type Condition = OnFailureRecord['requestContext']['condition'];

/** What one invoked batch gave up on, per condition, for its consolidated on-failure record. */
interface Discarded {
  records: Set<SdkStreamRecord>;
  invokeCount: number;
  last?: { outcome: FunctionOutcome; functionError: boolean };
}

type Verdict =
  | { kind: 'success' }
  | { kind: 'partial'; from: number }
  | { kind: 'failure'; functionError: boolean };

function sequenceOf(r: SdkStreamRecord): string {
  const seq = r.dynamodb?.SequenceNumber;
  if (!seq) throw new Error(`stream record ${r.eventID} has no sequence number`);
  return seq;
}

function isoSeconds(d: Date | undefined, fallback: number): string {
  return new Date(d?.getTime() ?? fallback).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class LocalEventSourceMapping {
  readonly settings: EsmSettings;
  private readonly streams: DynamoDBStreamsClient;
  private readonly invokeFn: InvokeFunction;
  private readonly sqs: SQSClient | undefined;
  private readonly infiniteRetryCap: number;
  private readonly retryDelayMs: number;
  private readonly now: () => number;
  private readonly matches: RecordFilter;
  private readonly lanes: number;
  private readonly shards = new Map<string, ShardState>();
  private started = false;
  private queueUrl: string | undefined;

  constructor(options: LocalEventSourceMappingOptions) {
    const s = options.settings;
    wholeNumberIn('BatchSize', s.batchSize, 1, 10_000);
    if (!Number.isInteger(s.maximumRetryAttempts) || s.maximumRetryAttempts < -1) {
      throw new MappingSettingsError(
        'MaximumRetryAttempts',
        `must be -1 or more, got ${s.maximumRetryAttempts}`,
      );
    }
    wholeNumberIn('ParallelizationFactor', s.parallelizationFactor, 1, 10);
    wholeNumberIn('MaximumBatchingWindowInSeconds', s.maximumBatchingWindowInSeconds, 0, 300);
    try {
      this.matches = compileFilterCriteria(s.filterPatterns ?? []);
    } catch (err) {
      if (err instanceof FilterPatternError) throw new MappingSettingsError('FilterCriteria', err.message);
      throw err;
    }
    if (s.onFailureDestination) {
      if (
        !s.onFailureDestination.startsWith('arn:aws:sqs:') &&
        !/^https?:\/\//.test(s.onFailureDestination)
      ) {
        throw new MappingSettingsError(
          'DestinationConfig.OnFailure.Destination',
          `"${s.onFailureDestination}" is not an SQS queue ARN or URL (only SQS destinations are emulated)`,
        );
      }
      if (!options.sqs) {
        throw new MappingSettingsError(
          'DestinationConfig.OnFailure.Destination',
          'is set but no SQS client was given',
        );
      }
    }
    this.settings = s;
    this.lanes = s.parallelizationFactor ?? 1;
    this.streams = options.streams;
    this.invokeFn = options.invoke;
    this.sqs = options.sqs;
    this.infiniteRetryCap = options.infiniteRetryCap ?? 100;
    this.retryDelayMs = options.retryDelayMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  /**
   * Fixes the starting position, as creating the mapping does: with LATEST, only records
   * written after this call are delivered. Called by the first drain() if not before.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const shard of await listShards(this.streams, this.settings.streamArn)) {
      const id = shard.ShardId as string;
      if (this.settings.startingPosition === 'TRIM_HORIZON') {
        this.shards.set(id, {});
      } else if (shard.SequenceNumberRange?.EndingSequenceNumber) {
        this.shards.set(id, { skipped: true }); // closed: nothing new will arrive in it
      } else {
        const cursor = await ShardCursor.open(this.streams, this.settings.streamArn, id, { type: 'LATEST' });
        this.shards.set(id, { cursor });
      }
    }
  }

  /** Delivers every record up to the current end of every shard; returns what it did. */
  async drain(): Promise<DrainStats> {
    await this.start();
    const stats: DrainStats = {
      invocations: 0,
      records: 0,
      retries: 0,
      sentToDlq: 0,
      failureRecords: 0,
      ...(this.settings.filterPatterns?.length ? { filtered: 0 } : {}),
    };
    const shards = await listShards(this.streams, this.settings.streamArn);
    const known = new Set(shards.map((s) => s.ShardId as string));
    const done = new Set<string>();
    // Parents first: a shard is read once its parent is finished or gone from the stream.
    for (let progress = true; progress; ) {
      progress = false;
      for (const shard of shards) {
        const id = shard.ShardId as string;
        if (done.has(id)) continue;
        const parent = shard.ParentShardId;
        if (parent && known.has(parent) && !finished(this.shards.get(parent))) continue;
        await this.drainShard(shard, stats);
        done.add(id);
        progress = true;
      }
    }
    return stats;
  }

  private async drainShard(shard: Shard, stats: DrainStats): Promise<void> {
    const shardId = shard.ShardId as string;
    let state = this.shards.get(shardId);
    if (!state) {
      state = {}; // appeared after start(): read from its beginning
      this.shards.set(shardId, state);
    }
    if (finished(state)) return;
    state.cursor ??= await ShardCursor.open(this.streams, this.settings.streamArn, shardId, {
      type: 'TRIM_HORIZON',
    });
    // The first empty read is the current end of an open shard; the next drain reads on from there.
    const lanes: SdkStreamRecord[][] = Array.from({ length: this.lanes }, () => []);
    await readToEnd(state.cursor, {
      limit: this.settings.batchSize,
      emptyReadsAtEnd: 1,
      onPage: (records) => {
        stats.records += records.length;
        for (const r of records) {
          if (this.matches(toLambdaRecord(r, this.settings.streamArn))) lanes[this.laneOf(r)]?.push(r);
          else if (stats.filtered !== undefined) stats.filtered++;
        }
      },
    });
    // Lanes run concurrently; within a lane, batches go one after another, in stream order.
    const results = await Promise.allSettled(
      lanes.map((records) => this.deliverLane(shardId, records, stats)),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Which concurrent batch stream a record goes to: one per item key, so an item's changes stay in order. */
  private laneOf(r: SdkStreamRecord): number {
    if (this.lanes === 1) return 0;
    const key = keyString((r.dynamodb?.Keys ?? {}) as Item);
    return createHash('sha256').update(key).digest().readUInt32BE(0) % this.lanes;
  }

  private async deliverLane(shardId: string, records: SdkStreamRecord[], stats: DrainStats): Promise<void> {
    for (const batch of chunks(records, this.settings.batchSize)) {
      for (const part of this.splitByPayload(batch)) await this.deliver(shardId, part, stats);
    }
  }

  /** Consecutive runs of records whose event stays within Lambda's 6 MB payload limit. */
  private splitByPayload(records: SdkStreamRecord[]): SdkStreamRecord[][] {
    const batches: SdkStreamRecord[][] = [];
    const envelope = Buffer.byteLength('{"Records":[]}');
    let current: SdkStreamRecord[] = [];
    let size = envelope;
    for (const r of records) {
      const bytes = Buffer.byteLength(JSON.stringify(toLambdaRecord(r, this.settings.streamArn))) + 1;
      if (current.length > 0 && size + bytes > MAX_PAYLOAD_BYTES) {
        batches.push(current);
        current = [];
        size = envelope;
      }
      current.push(r);
      size += bytes;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  /** One invoked batch, with its retries and bisections, then its consolidated on-failure records. */
  private async deliver(shardId: string, records: SdkStreamRecord[], stats: DrainStats): Promise<void> {
    const pending: PendingBatch[] = [{ records, retries: 0, invokeCount: 0, redelivery: false }];
    const discarded = new Map<Condition, Discarded>();
    const discard = (
      condition: Condition,
      batch: PendingBatch,
      gone: SdkStreamRecord[],
      last?: Discarded['last'],
    ) => {
      const entry = discarded.get(condition) ?? { records: new Set(), invokeCount: 0 };
      for (const r of gone) entry.records.add(r);
      entry.invokeCount = Math.max(entry.invokeCount, batch.invokeCount);
      if (last) entry.last = last;
      discarded.set(condition, entry);
      stats.sentToDlq += gone.length;
    };
    const maxRetries = this.settings.maximumRetryAttempts;
    while (pending.length > 0) {
      const batch = pending[0] as PendingBatch;
      const expired = this.expiredPrefix(batch.records);
      if (expired > 0) {
        discard('RecordAgeExceeded', batch, batch.records.slice(0, expired));
        batch.records = batch.records.slice(expired);
        if (batch.records.length === 0) {
          pending.shift();
          continue;
        }
      }
      if (batch.redelivery && this.retryDelayMs > 0)
        await new Promise((r) => setTimeout(r, this.retryDelayMs));
      const outcome = await this.invokeFn({
        Records: batch.records.map((r) => toLambdaRecord(r, this.settings.streamArn)),
      });
      stats.invocations++;
      if (batch.redelivery) stats.retries++;
      batch.invokeCount++;
      batch.redelivery = true;
      const verdict = this.judge(outcome, batch.records);
      if (verdict.kind === 'success') {
        pending.shift();
        continue;
      }
      if (verdict.kind === 'partial') {
        batch.records = batch.records.slice(verdict.from); // the records before are checkpointed
      } else if (
        verdict.functionError &&
        this.settings.bisectBatchOnFunctionError &&
        batch.records.length > 1
      ) {
        // Splitting does not count towards the retry quota: the halves keep the batch's count.
        const half = Math.ceil(batch.records.length / 2);
        pending.splice(
          0,
          1,
          { ...batch, records: batch.records.slice(0, half) },
          { ...batch, records: batch.records.slice(half) },
        );
        continue;
      }
      const exhausted =
        maxRetries === -1 ? batch.retries + 1 >= this.infiniteRetryCap : batch.retries >= maxRetries;
      if (!exhausted) {
        batch.retries++;
        continue;
      }
      if (maxRetries === -1) {
        throw new ShardBlockedError(
          shardId,
          sequenceOf(batch.records[0] as SdkStreamRecord),
          batch.invokeCount,
        );
      }
      const functionError = verdict.kind === 'failure' && verdict.functionError;
      discard('RetryAttemptsExhausted', batch, batch.records, { outcome, functionError });
      pending.shift();
    }
    for (const [condition, entry] of discarded) {
      await this.sendFailureRecord(shardId, records, condition, entry, stats);
    }
  }

  /** How the mapping reads an invocation's outcome. */
  private judge(outcome: FunctionOutcome, records: SdkStreamRecord[]): Verdict {
    if (outcome.error) return { kind: 'failure', functionError: true };
    if (!this.settings.reportBatchItemFailures) return { kind: 'success' };
    const result = outcome.result as { batchItemFailures?: unknown } | null | undefined;
    if (result === null || typeof result !== 'object' || result.batchItemFailures == null) {
      return { kind: 'success' };
    }
    const failures = result.batchItemFailures;
    if (!Array.isArray(failures)) return { kind: 'failure', functionError: false };
    if (failures.length === 0) return { kind: 'success' };
    const sequence = records.map(sequenceOf);
    let lowest = Number.POSITIVE_INFINITY;
    for (const f of failures) {
      const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      const index = typeof id === 'string' && id !== '' ? sequence.indexOf(id) : -1;
      if (index < 0) return { kind: 'failure', functionError: false }; // Lambda fails the whole batch
      lowest = Math.min(lowest, index);
    }
    return { kind: 'partial', from: lowest };
  }

  private expiredPrefix(records: SdkStreamRecord[]): number {
    const maxAge = this.settings.maximumRecordAgeInSeconds;
    if (maxAge < 0) return 0;
    const oldest = this.now() - maxAge * 1000;
    let n = 0;
    while (n < records.length && (records[n]?.dynamodb?.ApproximateCreationDateTime?.getTime() ?? 0) < oldest)
      n++;
    return n;
  }

  /**
   * Sends one invoked batch's on-failure record for a condition: from its first discarded
   * record to its last (records between them that succeeded included), as Lambda consolidates.
   * Without a destination the records are only counted, as Lambda drops them.
   */
  private async sendFailureRecord(
    shardId: string,
    batch: SdkStreamRecord[],
    condition: Condition,
    entry: Discarded,
    stats: DrainStats,
  ): Promise<void> {
    const destination = this.settings.onFailureDestination;
    if (!destination || !this.sqs) return;
    const from = batch.findIndex((r) => entry.records.has(r));
    const to = batch.findLastIndex((r) => entry.records.has(r));
    const first = batch[from] as SdkStreamRecord;
    const last = batch[to] as SdkStreamRecord;
    const now = this.now();
    const record: OnFailureRecord = {
      requestContext: {
        requestId: entry.last?.outcome.requestId ?? randomUUID(),
        functionArn: this.settings.functionArn,
        condition,
        approximateInvokeCount: entry.invokeCount,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(entry.last?.functionError ? { functionError: 'Unhandled' } : {}),
      },
      version: '1.0',
      timestamp: new Date(now).toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: sequenceOf(first),
        endSequenceNumber: sequenceOf(last),
        approximateArrivalOfFirstRecord: isoSeconds(first.dynamodb?.ApproximateCreationDateTime, now),
        approximateArrivalOfLastRecord: isoSeconds(last.dynamodb?.ApproximateCreationDateTime, now),
        batchSize: to - from + 1,
        streamArn: this.settings.streamArn,
      },
    };
    this.queueUrl ??= await this.resolveQueueUrl(destination);
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(record) }),
    );
    stats.failureRecords++;
  }

  private async resolveQueueUrl(destination: string): Promise<string> {
    if (!destination.startsWith('arn:')) return destination;
    // arn:aws:sqs:<region>:<account>:<name>
    const [, , , , account, name] = destination.split(':');
    const out = await (this.sqs as SQSClient).send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
    );
    if (!out.QueueUrl) throw new Error(`no URL for the on-failure queue ${destination}`);
    return out.QueueUrl;
  }
}

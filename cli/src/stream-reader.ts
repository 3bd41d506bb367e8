/**
 * Reads a DynamoDB stream's shards with the DynamoDB Streams API. `ddbsync redrive` uses it,
 * and so do the test support's event source mapping emulator and stream replicator, so that
 * the three read a stream the same way.
 *
 *   const shards = await listShards(streams, streamArn);
 *   const cursor = await ShardCursor.open(streams, streamArn, shardId, { type: 'TRIM_HORIZON' });
 *   const closed = await readToEnd(cursor, { emptyReadsAtEnd: 1, onPage: (records) => ... });
 *   for (const child of descendantShards(shards, shardId)) ...  // once a shard is closed
 */
import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { CliError } from './errors.js';

/** Where a shard iterator starts, as GetShardIterator's ShardIteratorType names it. */
export type ShardPosition =
  | { readonly type: 'TRIM_HORIZON' | 'LATEST' }
  | { readonly type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

/** The records asked for are older than the stream keeps (24 hours): the service trimmed them. */
export class StreamTrimmedError extends CliError {
  override readonly name = 'StreamTrimmedError';
  constructor(
    readonly shardId: string,
    cause: Error,
  ) {
    // The service's own words, so the user sees what DynamoDB Streams answered.
    super(`${cause.name}: ${cause.message.split('\n')[0]}`, { cause });
  }
}

/** Every shard of the stream: DescribeStream answers at most 100 at a time. */
export async function listShards(streams: DynamoDBStreamsClient, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let start: string | undefined;
  do {
    const out = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) }),
    );
    shards.push(...(out.StreamDescription?.Shards ?? []));
    start = out.StreamDescription?.LastEvaluatedShardId;
  } while (start);
  return shards;
}

/** The shards split from `shardId` (children, grandchildren, ...), parents before children. */
export function descendantShards(shards: readonly Shard[], shardId: string): Shard[] {
  const out: Shard[] = [];
  const queue = [shardId];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const s of shards) {
      if (s.ParentShardId === parent && s.ShardId) {
        out.push(s);
        queue.push(s.ShardId);
      }
    }
  }
  return out;
}

function isTrimmed(err: unknown): err is Error {
  return (err as Error | undefined)?.name === 'TrimmedDataAccessException';
}

/** A reading position in one shard that moves on with every page read. */
export class ShardCursor {
  private lastRead: string | undefined;

  private constructor(
    private readonly streams: DynamoDBStreamsClient,
    readonly streamArn: string,
    readonly shardId: string,
    private readonly start: ShardPosition,
    /** Where the next read starts; none once the shard is closed and read to its end. */
    private iterator: string | undefined,
  ) {}

  /** Gets the shard iterator now: a LATEST cursor reads only what is written after this call. */
  static async open(
    streams: DynamoDBStreamsClient,
    streamArn: string,
    shardId: string,
    position: ShardPosition,
  ): Promise<ShardCursor> {
    const iterator = await iteratorAt(streams, streamArn, shardId, position);
    return new ShardCursor(streams, streamArn, shardId, position, iterator);
  }

  /** True once the shard is closed and read to its end: no record will come any more. */
  get closed(): boolean {
    return this.iterator === undefined;
  }

  /** The sequence number of the last record read, if any. */
  get lastSequenceNumber(): string | undefined {
    return this.lastRead;
  }

  /**
   * One GetRecords of at most `limit` records. An open shard may answer an empty page before
   * later records; a closed one answers without a next iterator at its end (then `closed`).
   */
  async read(limit = 1000): Promise<_Record[]> {
    if (this.iterator === undefined) return [];
    let out: Awaited<ReturnType<typeof getRecords>>;
    try {
      out = await getRecords(this.streams, this.shardId, this.iterator, limit);
    } catch (err) {
      // Iterators expire after 15 minutes; carry on from the last record read.
      if ((err as Error | undefined)?.name !== 'ExpiredIteratorException') throw err;
      const position: ShardPosition = this.lastRead
        ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastRead }
        : this.start;
      this.iterator = await iteratorAt(this.streams, this.streamArn, this.shardId, position);
      if (this.iterator === undefined) return [];
      out = await getRecords(this.streams, this.shardId, this.iterator, limit);
    }
    this.iterator = out.NextShardIterator;
    const records = out.Records ?? [];
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) this.lastRead = last;
    return records;
  }
}

async function iteratorAt(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  shardId: string,
  position: ShardPosition,
): Promise<string | undefined> {
  try {
    const out = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: position.type,
        ...('sequenceNumber' in position ? { SequenceNumber: position.sequenceNumber } : {}),
      }),
    );
    return out.ShardIterator;
  } catch (err) {
    if (isTrimmed(err)) throw new StreamTrimmedError(shardId, err);
    throw err;
  }
}

async function getRecords(streams: DynamoDBStreamsClient, shardId: string, iterator: string, limit: number) {
  try {
    return await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
  } catch (err) {
    if (isTrimmed(err)) throw new StreamTrimmedError(shardId, err);
    throw err;
  }
}

export interface ReadToEndOptions {
  /** Records per GetRecords; 1,000 (the API's most) by default. */
  readonly limit?: number;
  /**
   * Empty reads in a row after which an open shard counts as read to its current end. One is
   * enough where the next call reads on from there; more where an early empty page must not
   * end the read (DynamoDB Streams may answer one before records that are there).
   */
  readonly emptyReadsAtEnd: number;
  /** Called with each page that has records, in order, before the next page is read. */
  readonly onPage: (records: _Record[]) => void | Promise<void>;
}

/**
 * Reads pages until the shard is closed and read to its end (resolves true) or until an open
 * shard's current end (false). The cursor keeps its place, so a later call reads on from there.
 */
export async function readToEnd(cursor: ShardCursor, options: ReadToEndOptions): Promise<boolean> {
  let empty = 0;
  while (!cursor.closed) {
    const page = await cursor.read(options.limit);
    if (page.length > 0) {
      empty = 0;
      await options.onPage(page);
    } else if (++empty >= options.emptyReadsAtEnd) break;
  }
  return cursor.closed;
}

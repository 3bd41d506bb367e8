/**
 * The DynamoDB Streams reader behind redrive, the event source mapping emulator and the test
 * replicator, against scripted answers of the Streams API: the cases moto cannot produce
 * (more than one DescribeStream page, closed and split shards, empty pages before records,
 * trimmed and expired reads).
 */
import {
  type _Record,
  DescribeStreamCommand,
  type DescribeStreamCommandInput,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandInput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  LimitExceededException,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  descendantShards,
  listShards,
  readToEnd,
  ShardCursor,
  StreamTrimmedError,
} from '../../../cli/src/stream-reader.js';

const STREAM = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000';
const streams = mockClient(DynamoDBStreamsClient);
const client = () => new DynamoDBStreamsClient({ region: 'eu-west-1' });
beforeEach(() => streams.reset());

const record = (seq: string): _Record => ({ eventName: 'INSERT', dynamodb: { SequenceNumber: seq } });
const seqs = (records: readonly _Record[]) => records.map((r) => r.dynamodb?.SequenceNumber ?? '');
const shard = (id: string, parent?: string, closed = false): Shard => ({
  ShardId: id,
  ...(parent ? { ParentShardId: parent } : {}),
  SequenceNumberRange: { StartingSequenceNumber: '1', ...(closed ? { EndingSequenceNumber: '9' } : {}) },
});

/**
 * A shard's pages by iterator: page i answers `iterator-i`; the last page of a closed shard
 * has no next iterator, an open shard repeats its last iterator with empty pages from there.
 */
function scriptShards(pages: Record<string, { records: string[][]; closed: boolean }>) {
  const reads: string[] = [];
  streams.on(GetShardIteratorCommand).callsFake((input: GetShardIteratorCommandInput) => {
    if (!pages[input.ShardId as string]) throw new Error(`no shard ${input.ShardId}`);
    return { ShardIterator: `${input.ShardId}#0` };
  });
  streams.on(GetRecordsCommand).callsFake((input: GetRecordsCommandInput) => {
    const [shardId, n] = (input.ShardIterator as string).split('#') as [string, string];
    reads.push(input.ShardIterator as string);
    const script = pages[shardId];
    if (!script || reads.length > 100) throw new Error(`unexpected read ${input.ShardIterator}`);
    const i = Number(n);
    const last = i >= script.records.length - 1;
    return {
      Records: (script.records[i] ?? []).map(record),
      ...(last && script.closed ? {} : { NextShardIterator: `${shardId}#${last ? i : i + 1}` }),
    };
  });
  return reads;
}

describe('listShards', () => {
  it('follows LastEvaluatedShardId through every page of DescribeStream', async () => {
    const pages: Record<string, { shards: Shard[]; last?: string }> = {
      '': { shards: [shard('s1', undefined, true), shard('s2', 's1')], last: 's2' },
      s2: { shards: [shard('s3', undefined, true)], last: 's3' },
      s3: { shards: [shard('s4', 's3')] },
    };
    let calls = 0;
    streams.on(DescribeStreamCommand).callsFake((input: DescribeStreamCommandInput) => {
      expect(input.StreamArn).toBe(STREAM);
      const page = pages[input.ExclusiveStartShardId ?? ''];
      // A reader that does not page on would ask for the first page forever.
      if (!page || ++calls > 3)
        throw new Error(`unexpected ExclusiveStartShardId ${input.ExclusiveStartShardId}`);
      return {
        StreamDescription: { Shards: page.shards, ...(page.last ? { LastEvaluatedShardId: page.last } : {}) },
      };
    });
    const shards = await listShards(client(), STREAM);
    expect(shards.map((s) => s.ShardId)).toEqual(['s1', 's2', 's3', 's4']);
    expect(streams.commandCalls(DescribeStreamCommand)).toHaveLength(3);
  });
});

describe('descendantShards', () => {
  const shards = [
    shard('root', undefined, true),
    shard('other', undefined, true),
    shard('a', 'root', true),
    shard('other-child', 'other'),
    shard('a1', 'a'),
    shard('b', 'root'),
  ];

  it('lists children, then grandchildren, of the shard only', () => {
    expect(descendantShards(shards, 'root').map((s) => s.ShardId)).toEqual(['a', 'b', 'a1']);
    expect(descendantShards(shards, 'a').map((s) => s.ShardId)).toEqual(['a1']);
  });

  it('is empty for a shard that was not split', () => {
    expect(descendantShards(shards, 'b')).toEqual([]);
    expect(descendantShards(shards, 'not-a-shard')).toEqual([]);
  });
});

describe('ShardCursor and readToEnd', () => {
  it('reads a closed parent to its end, then the child split from it to its current end', async () => {
    const reads = scriptShards({
      parent: { records: [['1', '2'], ['3']], closed: true },
      child: { records: [['4'], []], closed: false },
    });
    streams.on(DescribeStreamCommand).resolves({
      StreamDescription: { Shards: [shard('parent', undefined, true), shard('child', 'parent')] },
    });
    const seen: string[][] = [];
    const parent = await ShardCursor.open(client(), STREAM, 'parent', { type: 'TRIM_HORIZON' });
    const closed = await readToEnd(parent, { emptyReadsAtEnd: 5, onPage: (p) => void seen.push(seqs(p)) });
    expect(closed).toBe(true);
    expect(parent.closed).toBe(true);
    expect(parent.lastSequenceNumber).toBe('3');

    const children = descendantShards(await listShards(client(), STREAM), 'parent');
    expect(children.map((s) => s.ShardId)).toEqual(['child']);
    const child = await ShardCursor.open(client(), STREAM, 'child', { type: 'TRIM_HORIZON' });
    expect(await readToEnd(child, { emptyReadsAtEnd: 1, onPage: (p) => void seen.push(seqs(p)) })).toBe(
      false,
    );
    expect(child.closed).toBe(false);

    expect(seen).toEqual([['1', '2'], ['3'], ['4']]);
    // A closed shard needs no read after its last page; the open child stopped at its first empty one.
    expect(reads).toEqual(['parent#0', 'parent#1', 'child#0', 'child#1']);
    // Read to its end, the closed parent is not read again.
    await readToEnd(parent, { emptyReadsAtEnd: 1, onPage: () => undefined });
    expect(reads).toHaveLength(4);
  });

  it('on an open shard, reads past fewer empty pages than emptyReadsAtEnd and stops at that many', async () => {
    const pages = [[], [], [record('7')], [], [record('8')], [], [], []];
    let n = 0;
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-0' });
    streams.on(GetRecordsCommand).callsFake((input: GetRecordsCommandInput) => {
      expect(input.ShardIterator).toBe(`it-${n}`);
      const page = pages[n++];
      if (!page) throw new Error('read past the end of the script');
      return { Records: page, NextShardIterator: `it-${n}` };
    });
    const cursor = await ShardCursor.open(client(), STREAM, 'open', { type: 'LATEST' });
    const seen: string[] = [];
    const closed = await readToEnd(cursor, {
      emptyReadsAtEnd: 3,
      onPage: (p) => void seen.push(...seqs(p)),
    });
    expect(closed).toBe(false);
    expect(seen).toEqual(['7', '8']);
    expect(n).toBe(8); // stopped after the third empty page in a row, not before
  });

  it('keeps its place: the next readToEnd reads on from the last iterator, finding later records', async () => {
    let written: string[] = [];
    let served = 0;
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'pos-0' });
    streams.on(GetRecordsCommand).callsFake((input: GetRecordsCommandInput) => {
      const at = Number((input.ShardIterator as string).slice(4));
      expect(at).toBe(served);
      const page = written.slice(at);
      served = at + page.length;
      return { Records: page.map(record), NextShardIterator: `pos-${served}` };
    });
    const cursor = await ShardCursor.open(client(), STREAM, 'open', { type: 'LATEST' });
    const seen: string[] = [];
    const onPage = (p: _Record[]) => void seen.push(...seqs(p));
    written = ['1', '2'];
    await readToEnd(cursor, { emptyReadsAtEnd: 1, onPage });
    written = ['1', '2', '3'];
    await readToEnd(cursor, { emptyReadsAtEnd: 1, onPage });
    expect(seen).toEqual(['1', '2', '3']);
  });

  it('asks for the position and page size it is given', async () => {
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it' });
    streams.on(GetRecordsCommand).resolves({ Records: [], NextShardIterator: 'it' });
    const cursor = await ShardCursor.open(client(), STREAM, 's1', {
      type: 'AFTER_SEQUENCE_NUMBER',
      sequenceNumber: '400',
    });
    await ShardCursor.open(client(), STREAM, 's1', { type: 'TRIM_HORIZON' });
    await cursor.read(25);
    const [after, horizon] = streams.commandCalls(GetShardIteratorCommand).map((c) => c.args[0].input);
    expect(after).toEqual({
      StreamArn: STREAM,
      ShardId: 's1',
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      SequenceNumber: '400',
    });
    expect(horizon).toEqual({ StreamArn: STREAM, ShardId: 's1', ShardIteratorType: 'TRIM_HORIZON' });
    expect(streams.commandCalls(GetRecordsCommand)[0]?.args[0].input).toEqual({
      ShardIterator: 'it',
      Limit: 25,
    });
  });

  it('carries on after the last record read when its iterator has expired', async () => {
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'first' });
    streams
      .on(GetRecordsCommand)
      .resolvesOnce({ Records: [record('10'), record('11')], NextShardIterator: 'second' })
      .rejectsOnce(new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} }))
      .resolves({ Records: [record('12')] });
    const cursor = await ShardCursor.open(client(), STREAM, 's1', { type: 'TRIM_HORIZON' });
    expect(seqs(await cursor.read())).toEqual(['10', '11']);
    expect(seqs(await cursor.read())).toEqual(['12']);
    expect(streams.commandCalls(GetShardIteratorCommand)[1]?.args[0].input).toMatchObject({
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      SequenceNumber: '11',
    });
    expect(cursor.closed).toBe(true);
  });
});

describe('errors', () => {
  const trimmed = () =>
    new TrimmedDataAccessException({
      message: 'Attempted to access data past the trim horizon',
      $metadata: {},
    });

  it('names a trimmed read from GetShardIterator as StreamTrimmedError, keeping the service words', async () => {
    streams.on(GetShardIteratorCommand).rejects(trimmed());
    const err = await ShardCursor.open(client(), STREAM, 's1', {
      type: 'AT_SEQUENCE_NUMBER',
      sequenceNumber: '5',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamTrimmedError);
    expect((err as StreamTrimmedError).shardId).toBe('s1');
    expect((err as Error).message).toBe(
      'TrimmedDataAccessException: Attempted to access data past the trim horizon',
    );
  });

  it('names a trimmed read from GetRecords as StreamTrimmedError too', async () => {
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it' });
    streams.on(GetRecordsCommand).rejects(trimmed());
    const cursor = await ShardCursor.open(client(), STREAM, 's1', { type: 'TRIM_HORIZON' });
    await expect(readToEnd(cursor, { emptyReadsAtEnd: 1, onPage: () => undefined })).rejects.toThrow(
      StreamTrimmedError,
    );
  });

  it('throws other errors as they are', async () => {
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it' });
    streams
      .on(GetRecordsCommand)
      .rejects(new LimitExceededException({ message: 'slow down', $metadata: {} }));
    const cursor = await ShardCursor.open(client(), STREAM, 's1', { type: 'TRIM_HORIZON' });
    await expect(cursor.read()).rejects.toThrow(LimitExceededException);
  });
});

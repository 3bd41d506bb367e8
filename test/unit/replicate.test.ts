import { describe, expect, it } from 'vitest';
import type { BatchWriteOptions, BatchWriteResult, WriteEntry } from '../../lambda/src/batch-writer.js';
import { TargetWriteError } from '../../lambda/src/errors.js';
import { replicateBatch } from '../../lambda/src/replicate.js';
import type { TargetWriter } from '../../lambda/src/target-writer.js';
import { put, remove, sOf, streamRecord } from './records.js';

const config = { excludeAttributes: new Set<string>(), skipTtlDeletes: true, maxConcurrency: 4 };
const timing = { deadline: Date.now() + 60_000 };

/** A target that applies every write except those whose pk is in `failing`, and records what it got. */
function target(id: string, failing: string[] = []) {
  const calls: { entries: readonly WriteEntry[]; options: BatchWriteOptions }[] = [];
  const writer: TargetWriter = {
    id,
    write: async (entries, options): Promise<BatchWriteResult> => {
      calls.push({ entries, options });
      const failed = new Map<number, Error>();
      entries.forEach((e, i) => {
        if (failing.includes(sOf(e.keyItem.pk) as string))
          failed.set(i, new TargetWriteError(id, 'AccessDeniedException', 'denied'));
      });
      return { failed, requests: 1, retries: 0 };
    },
  };
  return { writer, calls };
}

const batch = () => [
  put('100', 'a', { v: { S: '1' } }),
  put('101', 'b'),
  put('102', 'c'),
  put('103', 'a', { v: { S: '2' } }, 'MODIFY'),
  remove('104', 'd'),
];

describe('replicateBatch', () => {
  it('reports nothing when every target applies everything, and counts puts and deletes', async () => {
    const t1 = target('t1');
    const t2 = target('t2');
    const outcome = await replicateBatch(batch(), config, [t1.writer, t2.writer], timing);
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(outcome).toMatchObject({
      received: 5,
      itemsPut: 3,
      itemsDeleted: 1,
      failedRecords: 0,
      writeRequests: 2,
    });
    expect(t1.calls[0]?.entries.map((e) => e.request)).toEqual(t2.calls[0]?.entries.map((e) => e.request));
    expect(t1.calls[0]?.options.concurrency).toBe(4);
  });

  it('reports the first record of a key that failed on one target, not its last', async () => {
    const outcome = await replicateBatch(
      batch(),
      config,
      [target('t1').writer, target('t2', ['a']).writer],
      timing,
    );
    // "a" changed at 100 and 103: Lambda must resume from 100.
    expect(outcome.response.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    expect(outcome.failedRecords).toBe(2);
    expect(outcome.itemsPut).toBe(2);
    expect(outcome.targetFailures).toEqual([
      {
        target: 't2',
        failedItems: 1,
        firstError: expect.stringContaining('AccessDeniedException'),
        error: expect.any(TargetWriteError),
      },
    ]);
  });

  it('reports the lowest sequence number among failures on different targets', async () => {
    const outcome = await replicateBatch(
      batch(),
      config,
      [target('t1', ['d']).writer, target('t2', ['c']).writer, target('t3').writer],
      timing,
    );
    expect(outcome.response.batchItemFailures).toEqual([{ itemIdentifier: '102' }]);
    expect(outcome.failedRecords).toBe(2);
    expect(outcome.itemsDeleted).toBe(0);
  });

  it('counts a write as applied only when every target applied it', async () => {
    const outcome = await replicateBatch(
      batch(),
      config,
      [target('t1', ['b']).writer, target('t2').writer],
      timing,
    );
    expect(outcome.response.batchItemFailures).toEqual([{ itemIdentifier: '101' }]);
    expect(outcome.itemsPut).toBe(2);
  });

  it('reports a malformed record even when every write succeeds', async () => {
    const records = [
      put('200', 'a'),
      streamRecord({ seq: '201', name: 'INSERT', keys: { pk: { S: 'x' } } }),
      put('202', 'b'),
    ];
    const outcome = await replicateBatch(records, config, [target('t1').writer], timing);
    expect(outcome.response.batchItemFailures).toEqual([{ itemIdentifier: '201' }]);
    expect(outcome.recordFailures.map((f) => f.sequenceNumber)).toEqual(['201']);
    expect(outcome.itemsPut).toBe(2);
  });

  it('reports the lower of a malformed record and a failed write', async () => {
    const records = [
      put('300', 'a'),
      put('301', 'b'),
      streamRecord({ seq: '302', name: 'BOGUS', keys: { pk: { S: 'x' } } }),
    ];
    const outcome = await replicateBatch(records, config, [target('t1', ['b']).writer], timing);
    expect(outcome.response.batchItemFailures).toEqual([{ itemIdentifier: '301' }]);
  });

  it('fails a KEYS_ONLY stream from its first record without writing', async () => {
    const t = target('t1');
    const records = [
      put('400', 'a'),
      streamRecord({ seq: '401', name: 'MODIFY', keys: { pk: { S: 'b' } }, view: 'KEYS_ONLY' }),
    ];
    const outcome = await replicateBatch(records, config, [t.writer], timing);
    expect(outcome.response.batchItemFailures).toEqual([{ itemIdentifier: '400' }]);
    expect(t.calls).toHaveLength(0);
    // Every record of the batch is unapplied, and the FailedRecords metric says so.
    expect(outcome.failedRecords).toBe(2);
    expect(outcome.itemsPut).toBe(0);
  });

  it('reports a stream that cannot be replicated from the lowest sequence number of the batch', async () => {
    const t = target('t1');
    // Not in order (Lambda delivers a shard in order, but the report must not depend on it).
    const records = [
      streamRecord({ seq: '402', name: 'MODIFY', keys: { pk: { S: 'b' } }, view: 'OLD_IMAGE' }),
      put('401', 'a'),
      put('403', 'c'),
    ];
    const outcome = await replicateBatch(records, config, [t.writer], timing);
    expect(outcome.response.batchItemFailures).toEqual([{ itemIdentifier: '401' }]);
    expect(outcome.failedRecords).toBe(3);
  });

  it('does not call the targets for a batch of skipped TTL deletes only', async () => {
    const t = target('t1');
    const outcome = await replicateBatch([remove('500', 'a', { ttl: true })], config, [t.writer], timing);
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(outcome.skipped).toBe(1);
    expect(t.calls).toHaveLength(0);
  });
});

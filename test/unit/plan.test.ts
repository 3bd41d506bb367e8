import { describe, expect, it } from 'vitest';
import { MalformedRecordError, StreamConfigError } from '../../lambda/src/errors.js';
import { planBatch } from '../../lambda/src/plan.js';
import type { StreamRecord } from '../../lambda/src/stream-records.js';
import { put, remove, sOf, streamRecord } from './records.js';

const settings = { excludeAttributes: new Set<string>(), skipTtlDeletes: false };

/** The planned requests as {pk: 'put:<v>' | 'delete'} for compact assertions. */
function outcome(records: StreamRecord[], s = settings): Record<string, string> {
  const plan = planBatch(records, s);
  expect(plan.failures).toEqual([]);
  const out: Record<string, string> = {};
  for (const w of plan.writes) {
    const pk = sOf(w.keyItem.pk) as string;
    if (w.request.PutRequest) out[pk] = `put:${sOf(w.request.PutRequest.Item.v) ?? ''}`;
    else if (w.request.DeleteRequest) out[pk] = 'delete';
  }
  return out;
}

describe('planBatch: records become writes', () => {
  it('turns INSERT and MODIFY into puts of the new image and REMOVE into a delete of the key', () => {
    const plan = planBatch(
      [put('100', 'a', { v: { S: '1' } }), put('101', 'b', { v: { S: '2' } }, 'MODIFY'), remove('102', 'c')],
      settings,
    );
    expect(plan.received).toBe(3);
    expect(plan.failures).toEqual([]);
    expect(plan.writes.map((w) => w.request)).toEqual([
      { PutRequest: { Item: { pk: { S: 'a' }, v: { S: '1' } } } },
      { PutRequest: { Item: { pk: { S: 'b' }, v: { S: '2' } } } },
      { DeleteRequest: { Key: { pk: { S: 'c' } } } },
    ]);
  });

  it('keeps binary keys and values as the base64 the event carries, which is how DynamoDB takes them', () => {
    const keys = { pk: { B: Buffer.from([1, 2, 255]).toString('base64') } };
    const newImage = { ...keys, data: { BS: ['AAE=', '/w=='] } };
    const plan = planBatch([streamRecord({ seq: '5', keys, newImage })], settings);
    expect(plan.writes[0]?.request).toEqual({
      PutRequest: { Item: { pk: { B: 'AQL/' }, data: { BS: ['AAE=', '/w=='] } } },
    });
    expect(plan.writes[0]?.keyItem).toEqual({ pk: { B: 'AQL/' } });
  });

  it('checks a deeply nested image without copying it', () => {
    const newImage = {
      pk: { S: 'a' },
      doc: { M: { list: { L: [{ M: { n: { N: '1' } } }, { NULL: true as const }] } } },
    };
    const plan = planBatch([streamRecord({ seq: '5', keys: { pk: { S: 'a' } }, newImage })], settings);
    expect(plan.writes[0]?.request.PutRequest?.Item).toBe(newImage);
  });

  it('lets the last change per key win: put then delete is a delete', () => {
    expect(outcome([put('1', 'a', { v: { S: 'x' } }), remove('2', 'a')])).toEqual({ a: 'delete' });
  });

  it('lets the last change per key win: delete then put is a put of the last image', () => {
    expect(
      outcome([
        remove('1', 'a'),
        put('2', 'a', { v: { S: 'x' } }),
        put('3', 'a', { v: { S: 'y' } }, 'MODIFY'),
      ]),
    ).toEqual({ a: 'put:y' });
  });

  it('orders sequence numbers numerically, not as text, when choosing the last change', () => {
    // "99" < "100" numerically although "99" > "100" as strings; the batch is handed over out of order.
    expect(outcome([put('100', 'a', { v: { S: 'new' } }), put('99', 'a', { v: { S: 'old' } })])).toEqual({
      a: 'put:new',
    });
  });

  it('writes each key once, remembering the first sequence number and the record count', () => {
    const plan = planBatch(
      [put('10', 'a'), put('11', 'b'), put('12', 'a', {}, 'MODIFY'), remove('13', 'a')],
      settings,
    );
    expect(
      plan.writes.map((w) => [w.key.includes('"a"') ? 'a' : 'b', w.firstSequenceNumber, w.recordCount]),
    ).toEqual([
      ['a', '10', 3],
      ['b', '11', 1],
    ]);
  });

  it('tracks the oldest change time in milliseconds', () => {
    const records = [
      streamRecord({
        seq: '1',
        keys: { pk: { S: 'a' } },
        newImage: { pk: { S: 'a' } },
        createdSeconds: 1_700_000_005,
      }),
      streamRecord({
        seq: '2',
        keys: { pk: { S: 'b' } },
        newImage: { pk: { S: 'b' } },
        createdSeconds: 1_700_000_001,
      }),
    ];
    expect(planBatch(records, settings).oldestChangeMs).toBe(1_700_000_001_000);
  });
});

describe('planBatch: a stream that cannot be replicated fails from its first record', () => {
  it.each(['KEYS_ONLY', 'OLD_IMAGE'])('fails a %s stream with StreamConfigError, never skipping', (view) => {
    const records = [
      put('7', 'a'),
      streamRecord({ seq: '8', name: 'MODIFY', keys: { pk: { S: 'b' } }, view }),
      remove('9', 'c'),
    ];
    const plan = planBatch(records, settings);
    expect(plan.writes).toEqual([]);
    expect(plan.failures).toHaveLength(1);
    expect(plan.failures[0]?.sequenceNumber).toBe('7');
    expect(plan.failures[0]?.error).toBeInstanceOf(StreamConfigError);
    expect(plan.failures[0]?.error.message).toContain(view);
  });

  it('fails the batch when EXCLUDE_ATTRIBUTES names a key attribute', () => {
    const plan = planBatch([put('3', 'a'), put('4', 'b')], {
      excludeAttributes: new Set(['pk']),
      skipTtlDeletes: false,
    });
    expect(plan.writes).toEqual([]);
    expect(plan.failures[0]?.sequenceNumber).toBe('3');
    expect(plan.failures[0]?.error).toBeInstanceOf(StreamConfigError);
    expect(plan.failures[0]?.error.message).toContain('"pk"');
  });
});

describe('planBatch: EXCLUDE_ATTRIBUTES', () => {
  it('removes top-level attributes from puts and keeps nested attributes of the same name', () => {
    const plan = planBatch(
      [
        put('1', 'a', {
          ssn: { S: '123-45-6789' },
          email: { S: 'a@example.com' },
          profile: { M: { ssn: { S: 'nested stays' } } },
        }),
      ],
      { excludeAttributes: new Set(['ssn', 'email']), skipTtlDeletes: false },
    );
    expect(plan.writes[0]?.request.PutRequest?.Item).toEqual({
      pk: { S: 'a' },
      profile: { M: { ssn: { S: 'nested stays' } } },
    });
  });
});

describe('planBatch: SKIP_TTL_DELETES', () => {
  const skip = { excludeAttributes: new Set<string>(), skipTtlDeletes: true };

  it('skips REMOVEs made by the TTL process and counts them', () => {
    const plan = planBatch([put('1', 'a'), remove('2', 'b', { ttl: true })], skip);
    expect(plan.skipped).toBe(1);
    expect(plan.writes.map((w) => Object.keys(w.request))).toEqual([['PutRequest']]);
  });

  it('still applies REMOVEs made by users', () => {
    expect(outcome([remove('2', 'b')], skip)).toEqual({ b: 'delete' });
    expect(planBatch([remove('2', 'b')], skip).skipped).toBe(0);
  });

  it('does not treat a user record with a service identity of another principal as TTL', () => {
    const r = remove('2', 'b');
    r.userIdentity = { type: 'Service', principalId: 'example.amazonaws.com' };
    expect(outcome([r], skip)).toEqual({ b: 'delete' });
  });

  it('applies TTL deletes when the setting is off', () => {
    const plan = planBatch([remove('2', 'b', { ttl: true })], settings);
    expect(plan.skipped).toBe(0);
    expect(plan.writes[0]?.request).toEqual({ DeleteRequest: { Key: { pk: { S: 'b' } } } });
  });

  it('keeps an earlier put of a key whose TTL delete is skipped', () => {
    expect(outcome([put('1', 'a', { v: { S: 'kept' } }), remove('2', 'a', { ttl: true })], skip)).toEqual({
      a: 'put:kept',
    });
  });
});

describe('planBatch: malformed records', () => {
  it.each([
    ['missing Keys', streamRecord({ seq: '20', newImage: { pk: { S: 'x' } } }), /Keys/],
    ['empty Keys', streamRecord({ seq: '20', keys: {}, newImage: { pk: { S: 'x' } } }), /Keys/],
    ['an unknown eventName', streamRecord({ seq: '20', name: 'UPSERT', keys: { pk: { S: 'x' } } }), /UPSERT/],
    ['an INSERT without NewImage', streamRecord({ seq: '20', keys: { pk: { S: 'x' } } }), /NewImage/],
    [
      'a bad attribute value',
      streamRecord({ seq: '20', keys: { pk: { S: 'x' } }, newImage: { pk: { S: 'x' }, blob: { B: '!!' } } }),
      /blob/,
    ],
  ])('reports a record with %s by its sequence number and plans the rest', (_, bad, message) => {
    const plan = planBatch([put('19', 'a'), bad, put('21', 'b')], settings);
    expect(plan.failures).toHaveLength(1);
    expect(plan.failures[0]?.sequenceNumber).toBe('20');
    expect(plan.failures[0]?.error).toBeInstanceOf(MalformedRecordError);
    expect(plan.failures[0]?.error.message).toMatch(message);
    expect(plan.writes.map((w) => sOf(w.keyItem.pk))).toEqual(['a', 'b']);
  });

  it('reports a malformed last change of a key and writes the change before it', () => {
    const bad = streamRecord({
      seq: '31',
      name: 'MODIFY',
      keys: { pk: { S: 'a' } },
      newImage: { pk: { S: 'a' }, blob: { B: 'not base64!' } },
    });
    const plan = planBatch([put('30', 'a', { v: { S: 'kept' } }), bad], settings);
    expect(plan.failures.map((f) => f.sequenceNumber)).toEqual(['31']);
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]?.request.PutRequest?.Item?.v).toEqual({ S: 'kept' });
    expect(plan.writes[0]?.firstSequenceNumber).toBe('30');
  });

  it('does not convert an image that a later change of the same key supersedes', () => {
    // The superseded image would not reach the target either way; only the last one is written.
    const superseded = streamRecord({
      seq: '40',
      keys: { pk: { S: 'a' } },
      newImage: { pk: { S: 'a' }, blob: { B: 'not base64!' } },
    });
    const plan = planBatch([superseded, put('41', 'a', { v: { S: 'last' } })], settings);
    expect(plan.failures).toEqual([]);
    expect(plan.writes[0]?.request.PutRequest?.Item?.v).toEqual({ S: 'last' });
    expect(plan.writes[0]?.firstSequenceNumber).toBe('40');
    expect(plan.writes[0]?.recordCount).toBe(2);
  });

  it('reports a record whose key attribute is not S, N or B', () => {
    const bad = streamRecord({ seq: '50', keys: { pk: { M: {} } }, newImage: { pk: { M: {} } } });
    const plan = planBatch([bad], settings);
    expect(plan.failures[0]?.sequenceNumber).toBe('50');
    expect(plan.failures[0]?.error.message).toMatch(/Keys\.pk/);
  });

  it.each([
    ['missing', undefined],
    ['not decimal', 'abc'],
    ['a number', 42],
  ])('throws MalformedRecordError for a record whose SequenceNumber is %s', (_, seq) => {
    const bad = put('1', 'a');
    (bad.dynamodb as Record<string, unknown>).SequenceNumber = seq;
    expect(() => planBatch([put('0', 'z'), bad], settings)).toThrow(MalformedRecordError);
  });
});

/**
 * Benchmark workloads: Lambda-event-shaped DynamoDB stream records (NEW_AND_OLD_IMAGES)
 * over a chosen number of distinct keys, a mix of inserts, updates and deletes, made by a
 * seeded generator so every run sends the same batch.
 */
import type { EventImage, StreamRecord } from '#core';

export interface Workload {
  readonly records: StreamRecord[];
  /** Per key (canonical JSON of [pk, sk]): the final image, or undefined when the last change deletes it. */
  readonly expected: Map<string, EventImage | undefined>;
}

function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders/stream/2026-01-01T00:00:00.000';

/** A typical order item of ~600 bytes: strings, numbers, a binary, a set, a list and a map. */
function image(pk: string, sk: string, version: number, random: () => number): EventImage {
  const blob = Buffer.alloc(48);
  for (let i = 0; i < blob.length; i++) blob[i] = Math.floor(random() * 256);
  return {
    pk: { S: pk },
    sk: { N: sk },
    status: { S: ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED'][version % 4] as string },
    version: { N: String(version) },
    total: { N: (random() * 1000).toFixed(2) },
    customer: { S: `customer-${Math.floor(random() * 1e6)}@example.com` },
    paid: { BOOL: version % 2 === 0 },
    signature: { B: blob.toString('base64') },
    tags: { SS: ['priority', `region-${version % 5}`] },
    lines: {
      L: [
        { M: { sku: { S: 'SKU-1001' }, qty: { N: '2' }, price: { N: '19.99' } } },
        { M: { sku: { S: 'SKU-2002' }, qty: { N: '1' }, price: { N: '5.25' } } },
      ],
    },
    address: {
      M: {
        street: { S: '1 Bench Street' },
        city: { S: 'Dublin' },
        zip: { S: 'D01 F5P2' },
        note: { NULL: true },
      },
    },
    updatedAt: { S: new Date(1_767_225_600_000 + version * 1000).toISOString() },
  };
}

/**
 * `count` records over `keys` distinct keys: the first record of a key inserts it, later
 * ones modify it (80 %) or delete it (20 %; the next record of that key inserts it again).
 */
export function makeWorkload(count: number, keys: number, seed = 42): Workload {
  const random = prng(seed);
  const state = new Map<number, { version: number; image: EventImage | undefined }>();
  const expected = new Map<string, EventImage | undefined>();
  const records: StreamRecord[] = [];
  const base = 100_000_000_000_000_000_000n;
  const now = 1_767_225_600; // epoch seconds
  for (let i = 0; i < count; i++) {
    // Every key appears at least once when count >= keys; then keys are picked at random.
    const k = i < keys ? i : Math.floor(random() * keys);
    const pk = `customer#${k % 97}`;
    const sk = String(k);
    const keyImage: EventImage = { pk: { S: pk }, sk: { N: sk } };
    const s = state.get(k);
    let eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
    if (s === undefined || s.image === undefined) eventName = 'INSERT';
    else eventName = random() < 0.2 ? 'REMOVE' : 'MODIFY';
    const version = (s?.version ?? 0) + 1;
    const oldImage = s?.image;
    const newImage = eventName === 'REMOVE' ? undefined : image(pk, sk, version, random);
    state.set(k, { version, image: newImage });
    expected.set(JSON.stringify([keyImage.pk, keyImage.sk]), newImage);

    const dynamodb: Record<string, unknown> = {
      ApproximateCreationDateTime: now + Math.floor(i / 100),
      Keys: keyImage,
      SequenceNumber: String(base + BigInt(i) * 100n),
      SizeBytes: 600,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    };
    if (newImage) dynamodb.NewImage = newImage;
    if (oldImage) dynamodb.OldImage = oldImage;
    records.push({
      eventID: `event-${i}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb,
      eventSourceARN: STREAM_ARN,
    } as StreamRecord);
  }
  return { records, expected };
}

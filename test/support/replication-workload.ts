/**
 * Changes to make in a source table, whatever its key schema, and the comparison of a
 * source with its replicas: the demo and the end-to-end tests use both.
 *
 * The items hold every attribute type in an awkward form: all 256 byte values, 38-digit
 * and extreme-exponent numbers, nested maps and lists, the three set types, empty
 * strings and binaries, non-ASCII text and attribute names.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { canonicalItem, type SdkItem, scanAll } from './fixtures.js';

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

export type Change =
  | { readonly kind: 'put'; readonly item: SdkItem }
  | {
      readonly kind: 'update';
      readonly key: SdkItem;
      readonly expression: string;
      readonly names: Record<string, string>;
      readonly values?: Record<string, AttributeValue>;
    }
  | { readonly kind: 'delete'; readonly key: SdkItem };

export interface Round {
  readonly title: string;
  readonly changes: readonly Change[];
}

/** The table's key attributes (hash first) with their types. */
export async function keySchema(client: DynamoDBClient, tableName: string): Promise<KeyAttribute[]> {
  const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const types = new Map(
    (out.Table?.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]),
  );
  const keys = [...(out.Table?.KeySchema ?? [])].sort((a, b) =>
    a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0,
  );
  return keys.map((k) => {
    const type = types.get(k.AttributeName);
    if (type !== 'S' && type !== 'N' && type !== 'B') {
      throw new Error(`${tableName}: key attribute ${k.AttributeName} has no S/N/B definition`);
    }
    return { name: k.AttributeName as string, type };
  });
}

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

function keyValue(type: KeyAttribute['type'], n: number, part: number): AttributeValue {
  if (type === 'N') return { N: String(n * 10 + part) };
  if (type === 'B') return { B: Uint8Array.of(part, n, 255 - n) };
  return { S: part === 0 ? `customer#${String(n).padStart(3, '0')}` : `order#${n}-é` };
}

/** The key of item n: hash "customer#00n", range "order#n-é" (or numbers, or bytes). */
export function itemKey(keys: readonly KeyAttribute[], n: number): SdkItem {
  return Object.fromEntries(keys.map((k, part) => [k.name, keyValue(k.type, n, part)]));
}

/** A full item for key n; `version` changes its contents. */
export function tricky(keys: readonly KeyAttribute[], n: number, version = 1): SdkItem {
  const reversed = Uint8Array.from(ALL_BYTES).reverse();
  return {
    ...itemKey(keys, n),
    version: { N: String(version) },
    status: { S: version % 2 === 0 ? 'SHIPPED' : 'NEW' },
    emptyString: { S: '' },
    emptyBinary: { B: new Uint8Array(0) },
    allBytes: { B: version % 2 === 0 ? reversed : ALL_BYTES },
    total: { N: '12345678901234567890123456789012345678' },
    negativeTiny: { N: '-1E-130' },
    huge: { N: '9.9999999999999999999999999999999999999E+125' },
    note: { S: `Grüße, 日本, 🎉 #${n}\ttab\nnewline "quoted" \\ back` },
    tags: { SS: ['', 'ü', '🎉', `v${version}`].filter((s) => s !== '') },
    scores: { NS: ['1', '-1', '0.5', '12345678901234567890123456789012345678', String(n)] },
    blobs: { BS: [Uint8Array.of(0), Uint8Array.of(255), Uint8Array.of(n, version)] },
    nested: {
      M: {
        lines: {
          L: [
            { M: { sku: { S: `sku-${n}` }, qty: { N: String(version) }, gift: { BOOL: n % 2 === 0 } } },
            { L: [{ NULL: true }, { S: '' }, { B: Uint8Array.of(0, 0) }, { SS: ['x'] }] },
          ],
        },
        address: { M: { city: { S: 'Zürich' }, zip: { S: '8001' }, empty: { M: {} } } },
      },
    },
    'attribute name.with spaces': { S: 'names may hold anything' },
  };
}

/**
 * Three rounds of changes: inserts; updates, overwrites and deletes; then more inserts,
 * a deleted key put back, one key changed several times (the last change must win) and
 * an item created and deleted in the same round (it must not appear).
 */
export function demoRounds(keys: readonly KeyAttribute[]): Round[] {
  const put = (n: number, version = 1): Change => ({ kind: 'put', item: tricky(keys, n, version) });
  const del = (n: number): Change => ({ kind: 'delete', key: itemKey(keys, n) });
  const update = (n: number, qty: string): Change => ({
    kind: 'update',
    key: itemKey(keys, n),
    expression: 'SET #s = :s, #v = #v + :one, #n.#c = :city ADD #t :tag, #sc :score REMOVE #e',
    names: {
      '#s': 'status',
      '#v': 'version',
      '#n': 'nested',
      '#c': 'courier',
      '#t': 'tags',
      '#sc': 'scores',
      '#e': 'emptyBinary',
    },
    values: {
      ':s': { S: 'PACKED' },
      ':one': { N: '1' },
      ':city': { M: { name: { S: 'Ålesund Post' }, qty: { N: qty } } },
      ':tag': { SS: ['updated'] },
      ':score': { NS: ['-12345678901234567890123456789012345678'] },
    },
  });
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return [
    { title: 'insert 12 items', changes: range(1, 12).map((n) => put(n)) },
    {
      title: 'update 4, overwrite 2, delete 3',
      changes: [
        ...range(1, 4).map((n) => update(n, String(n))),
        put(7, 2),
        put(8, 2),
        del(5),
        del(6),
        del(12),
      ],
    },
    {
      title: 'insert 4, put back a deleted key, change one key 3 times, insert and delete one',
      changes: [
        ...range(13, 16).map((n) => put(n)),
        put(5, 3),
        update(13, '1'),
        update(13, '2'),
        put(13, 4),
        put(17),
        del(17),
        del(9),
      ],
    },
  ];
}

export async function applyChange(client: DynamoDBClient, tableName: string, change: Change): Promise<void> {
  if (change.kind === 'put') {
    await client.send(new PutItemCommand({ TableName: tableName, Item: change.item }));
  } else if (change.kind === 'delete') {
    await client.send(new DeleteItemCommand({ TableName: tableName, Key: change.key }));
  } else {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: change.key,
        UpdateExpression: change.expression,
        ExpressionAttributeNames: change.names,
        ...(change.values ? { ExpressionAttributeValues: change.values } : {}),
      }),
    );
  }
}

/** Applies the changes one after the other, in order (so the stream holds them in order). */
export async function applyRound(client: DynamoDBClient, tableName: string, round: Round): Promise<void> {
  for (const change of round.changes) await applyChange(client, tableName, change);
}

/**
 * A table's items in a form that compares exactly: binaries as hex, sets sorted, map keys
 * sorted; items ordered by their canonical JSON (so any key schema works).
 */
export async function tableSnapshot(client: DynamoDBClient, tableName: string): Promise<string[]> {
  const items = await scanAll(client, tableName);
  return items.map((i) => JSON.stringify(canonicalItem(i))).sort();
}

export interface Difference {
  /** Items in the source and not (or not equal) in the replica. */
  readonly missing: number;
  /** Items in the replica and not (or not equal) in the source. */
  readonly extra: number;
  /** The first differing item on either side, for the message. */
  readonly example?: string;
}

/** Compares two snapshots; undefined when they are equal. */
export function difference(source: readonly string[], replica: readonly string[]): Difference | undefined {
  const inReplica = new Set(replica);
  const inSource = new Set(source);
  const missing = source.filter((i) => !inReplica.has(i));
  const extra = replica.filter((i) => !inSource.has(i));
  if (missing.length === 0 && extra.length === 0 && source.length === replica.length) return undefined;
  const example = missing[0] ?? extra[0];
  return {
    missing: missing.length,
    extra: extra.length,
    ...(example ? { example: example.slice(0, 300) } : {}),
  };
}

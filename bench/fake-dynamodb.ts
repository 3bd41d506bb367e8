/**
 * A DynamoDB-compatible HTTP endpoint for benchmarking only: node:http on 127.0.0.1, a
 * configurable round-trip delay, optional throttling, and counters (requests, items, the
 * most requests in flight). It speaks just enough of the JSON 1.0 protocol for the SDK:
 * BatchWriteItem, PutItem and DeleteItem; Scan (parallel segments, ExclusiveStartKey,
 * Limit, pages of at most 1 MB) and DescribeTable over the same in-memory tables, for
 * the backfill bench; and STS AssumeRole (query protocol) so that role targets can be
 * exercised. Each response goes out in one write (Content-Length set,
 * Nagle off): a server that writes headers and body separately adds ~40 ms per request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOptions {
  /** Milliseconds between receiving a whole request and answering it (the round trip). */
  delayMs: number;
  /** Fraction of BatchWriteItem requests answered with ProvisionedThroughputExceededException. */
  throttleRate: number;
  /** Fraction of the items in each BatchWriteItem returned as UnprocessedItems. */
  unprocessedRate: number;
  /** Key attribute names of every table, to keep each table's final state. */
  keyNames: readonly string[];
}

export interface FakeCounters {
  requests: number;
  batchRequests: number;
  putItemRequests: number;
  deleteItemRequests: number;
  scanRequests: number;
  /** Items returned by Scan (`items` counts those written). */
  scannedItems: number;
  stsRequests: number;
  items: number;
  throttled: number;
  unprocessedItems: number;
  maxInFlight: number;
}

type JsonItem = Record<string, unknown>;

/** One Scan segment of a table: its items in order, their sizes, and each key's position + 1 (where a page after it starts). */
interface Segment {
  readonly items: JsonItem[];
  readonly bytes: number[];
  readonly after: Map<string, number>;
}

export class FakeDynamoDb {
  readonly options: FakeOptions;
  counters: FakeCounters = zeroCounters();
  /** table name → canonical key → the item last put (or undefined once deleted). */
  readonly tables = new Map<string, Map<string, JsonItem | undefined>>();
  /** "table/TotalSegments" → each segment's items in table order, made at the first Scan. */
  private readonly segments = new Map<string, Segment[]>();
  private inFlight = 0;
  private server: Server | undefined;
  // A small deterministic generator so throttling is the same from run to run.
  private seed = 1;

  constructor(options: Partial<FakeOptions> = {}) {
    this.options = { delayMs: 20, throttleRate: 0, unprocessedRate: 0, keyNames: ['pk', 'sk'], ...options };
  }

  reset(options: Partial<FakeOptions> = {}): void {
    Object.assign(this.options, options);
    this.counters = zeroCounters();
    this.tables.clear();
    this.segments.clear();
    this.seed = 1;
  }

  /** Puts `items` into `table` (a source for Scan), as if written before the run. */
  load(table: string, items: Iterable<JsonItem>): void {
    for (const item of items) this.apply(table, item, item);
    for (const k of this.segments.keys()) if (k.startsWith(`${table}/`)) this.segments.delete(k);
  }

  /** The counters since the last call, and zeroes them (the tables are kept). */
  takeCounters(): FakeCounters {
    const c = this.counters;
    this.counters = zeroCounters();
    return c;
  }

  async start(): Promise<string> {
    const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => this.onRequest(req, res));
    server.on('connection', (socket) => socket.setNoDelay(true));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  private random(): number {
    // mulberry32
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.counters.requests++;
    this.inFlight++;
    if (this.inFlight > this.counters.maxInFlight) this.counters.maxInFlight = this.inFlight;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let status = 200;
      let body: string;
      let contentType = 'application/x-amz-json-1.0';
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        const target = req.headers['x-amz-target'];
        if (typeof target === 'string') {
          [status, body] = this.dynamoDb(target, JSON.parse(text) as Record<string, unknown>);
        } else if (text.includes('Action=AssumeRole')) {
          this.counters.stsRequests++;
          contentType = 'text/xml';
          body = assumeRoleXml();
        } else {
          [status, body] = errorBody(400, 'UnknownOperationException', 'not supported by the bench endpoint');
        }
      } catch (err) {
        [status, body] = errorBody(400, 'SerializationException', (err as Error).message);
      }
      const send = (): void => {
        this.inFlight--;
        res.writeHead(status, {
          'Content-Type': contentType,
          'Content-Length': Buffer.byteLength(body),
          'x-amzn-RequestId': String(this.counters.requests),
        });
        res.end(body); // headers and body leave in one write
      };
      if (this.options.delayMs > 0) setTimeout(send, this.options.delayMs);
      else setImmediate(send);
    });
  }

  private dynamoDb(target: string, input: Record<string, unknown>): [number, string] {
    const op = target.replace('DynamoDB_20120810.', '');
    if (op === 'BatchWriteItem') {
      this.counters.batchRequests++;
      const requestItems = input.RequestItems as Record<string, JsonItem[]>;
      let count = 0;
      for (const writes of Object.values(requestItems)) count += writes.length;
      this.counters.items += count;
      if (this.options.throttleRate > 0 && this.random() < this.options.throttleRate) {
        this.counters.throttled++;
        return errorBody(
          400,
          'ProvisionedThroughputExceededException',
          'The level of configured provisioned throughput for the table was exceeded.',
        );
      }
      const unprocessed: Record<string, JsonItem[]> = {};
      for (const [table, writes] of Object.entries(requestItems)) {
        for (const w of writes) {
          if (this.options.unprocessedRate > 0 && this.random() < this.options.unprocessedRate) {
            const list = unprocessed[table] ?? [];
            list.push(w);
            unprocessed[table] = list;
            this.counters.unprocessedItems++;
            continue;
          }
          const put = (w.PutRequest as { Item: JsonItem } | undefined)?.Item;
          if (put) this.apply(table, put, put);
          else this.apply(table, (w.DeleteRequest as { Key: JsonItem }).Key, undefined);
        }
      }
      return [200, JSON.stringify({ UnprocessedItems: unprocessed })];
    }
    if (op === 'PutItem') {
      this.counters.putItemRequests++;
      this.counters.items++;
      this.apply(input.TableName as string, input.Item as JsonItem, input.Item as JsonItem);
      return [200, '{}'];
    }
    if (op === 'DeleteItem') {
      this.counters.deleteItemRequests++;
      this.counters.items++;
      this.apply(input.TableName as string, input.Key as JsonItem, undefined);
      return [200, '{}'];
    }
    if (op === 'Scan') {
      this.counters.scanRequests++;
      return [200, JSON.stringify(this.scan(input))];
    }
    if (op === 'DescribeTable') return [200, JSON.stringify(this.describe(input.TableName as string))];
    return errorBody(400, 'UnknownOperationException', `${op} is not supported by the bench endpoint`);
  }

  /** One page of a (parallel) Scan: up to Limit items, stopping once the page reaches 1 MB as DynamoDB does. */
  private scan(input: Record<string, unknown>): Record<string, unknown> {
    const table = input.TableName as string;
    const total = (input.TotalSegments as number | undefined) ?? 1;
    const cacheKey = `${table}/${total}`;
    let segments = this.segments.get(cacheKey);
    if (!segments) {
      segments = Array.from({ length: total }, (): Segment => ({ items: [], bytes: [], after: new Map() }));
      for (const [key, item] of this.tables.get(table) ?? []) {
        const s = segments[fnv1a(key) % total] as Segment;
        if (!item) continue;
        s.items.push(item);
        s.bytes.push(JSON.stringify(item).length); // close enough to DynamoDB's item size for a page bound
        s.after.set(key, s.items.length);
      }
      this.segments.set(cacheKey, segments);
    }
    const segment = segments[(input.Segment as number | undefined) ?? 0] as Segment;
    const startKey = input.ExclusiveStartKey as JsonItem | undefined;
    const start = startKey ? (segment.after.get(this.keyOf(startKey)) ?? segment.items.length) : 0;
    const limit = (input.Limit as number | undefined) ?? Number.POSITIVE_INFINITY;
    let end = start;
    for (let bytes = 0; end < segment.items.length && end - start < limit && bytes < 1_048_576; end++) {
      bytes += segment.bytes[end] as number;
    }
    const page = segment.items.slice(start, end);
    this.counters.scannedItems += page.length;
    const last = page.at(-1);
    return {
      Items: page,
      Count: page.length,
      ScannedCount: page.length,
      ...(last && end < segment.items.length
        ? { LastEvaluatedKey: Object.fromEntries(this.options.keyNames.map((k) => [k, last[k]])) }
        : {}),
    };
  }

  private describe(table: string): Record<string, unknown> {
    const [hash, range] = this.options.keyNames;
    const keys = [
      { AttributeName: hash, KeyType: 'HASH' },
      ...(range ? [{ AttributeName: range, KeyType: 'RANGE' }] : []),
    ];
    return {
      Table: {
        TableName: table,
        TableStatus: 'ACTIVE',
        KeySchema: keys,
        ItemCount: this.tables.get(table)?.size ?? 0,
      },
    };
  }

  private keyOf(item: JsonItem): string {
    return canonicalKey(item, this.options.keyNames);
  }

  private apply(table: string, keySource: JsonItem, item: JsonItem | undefined): void {
    let t = this.tables.get(table);
    if (!t) {
      t = new Map();
      this.tables.set(table, t);
    }
    t.set(canonicalKey(keySource, this.options.keyNames), item);
  }
}

export function canonicalKey(item: JsonItem, keyNames: readonly string[]): string {
  return JSON.stringify(keyNames.map((k) => item[k]));
}

/** A stable spread of keys over Scan segments. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function zeroCounters(): FakeCounters {
  return {
    requests: 0,
    batchRequests: 0,
    putItemRequests: 0,
    deleteItemRequests: 0,
    scanRequests: 0,
    scannedItems: 0,
    stsRequests: 0,
    items: 0,
    throttled: 0,
    unprocessedItems: 0,
    maxInFlight: 0,
  };
}

function errorBody(status: number, type: string, message: string): [number, string] {
  return [status, JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message })];
}

function assumeRoleXml(): string {
  const expiration = new Date(Date.now() + 3_600_000).toISOString();
  return (
    '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
    '<Credentials><AccessKeyId>ASIABENCH</AccessKeyId><SecretAccessKey>bench</SecretAccessKey>' +
    `<SessionToken>bench</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
    '<AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/bench/bench</Arn>' +
    '<AssumedRoleId>AROABENCH:bench</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>' +
    '<ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></AssumeRoleResponse>'
  );
}

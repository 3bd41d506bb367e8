/**
 * A DynamoDB-compatible HTTP endpoint for benchmarking only: node:http on 127.0.0.1, a
 * configurable round-trip delay, optional throttling, and counters (requests, items, the
 * most requests in flight). It speaks just enough of the JSON 1.0 protocol for the SDK:
 * BatchWriteItem, PutItem and DeleteItem; and STS AssumeRole (query protocol) so that
 * role targets can be exercised. Each response goes out in one write (Content-Length set,
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
  stsRequests: number;
  items: number;
  throttled: number;
  unprocessedItems: number;
  maxInFlight: number;
}

type JsonItem = Record<string, unknown>;

export class FakeDynamoDb {
  readonly options: FakeOptions;
  counters: FakeCounters = zeroCounters();
  /** table name → canonical key → the item last put (or undefined once deleted). */
  readonly tables = new Map<string, Map<string, JsonItem | undefined>>();
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
    this.seed = 1;
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
    return errorBody(400, 'UnknownOperationException', `${op} is not supported by the bench endpoint`);
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

function zeroCounters(): FakeCounters {
  return {
    requests: 0,
    batchRequests: 0,
    putItemRequests: 0,
    deleteItemRequests: 0,
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

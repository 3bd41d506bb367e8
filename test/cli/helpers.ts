/**
 * Shared set-up for the CLI tests: tables on moto (in the source account and, through an
 * assumed role, in another account and region), the CLI run in-process through its real
 * entry `run()`, and full-table reads to compare.
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createTargetWriters, parseTargets } from '#core';
import type { CliHooks, CliIo } from '../../cli/src/io.js';
import { run } from '../../cli/src/main.js';
import { type MotoServer, startMoto } from '../support/moto.js';

export type Item = Record<string, AttributeValue>;

export const TARGET_ACCOUNT = '222222222222';
export const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/ddbsync-target`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(
  argv: string[],
  extra: { signal?: AbortSignal; hooks?: CliHooks; tty?: boolean } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: extra.tty ?? false },
    stderr: { write: (s: string) => (stderr += s) },
    env: process.env,
    ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.hooks ? { hooks: extra.hooks } : {}),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** Points this test process's SDK clients at moto (the CLI reads the standard environment). */
export function useMoto(moto: MotoServer, region = 'us-east-1'): void {
  Object.assign(process.env, moto.env(region));
}

export interface CliAccounts {
  moto: MotoServer;
  source: DynamoDBClient;
  /** Acting in the target account, in the region the test asked for. */
  target: DynamoDBClient;
}

/**
 * Starts a local AWS before the calling describe block's tests and stops it after them, with
 * this process's SDK pointed at it; `ready` receives the server and both accounts' clients.
 */
export function useCliAccounts(
  targetRegion: string,
  ready: (accounts: CliAccounts) => void,
  start: () => Promise<MotoServer> = startMoto,
): void {
  let moto: MotoServer | undefined;
  beforeAll(async () => {
    moto = await start();
    useMoto(moto);
    ready({ moto, source: sourceClient(), target: await targetAccountClient(targetRegion) });
  });
  afterAll(async () => {
    await moto?.stop();
  });
}

/**
 * DynamoDB mocked for the calling describe block, reset before each test, with a region and
 * credentials in the environment so the CLI gets as far as its first call; both put back after.
 */
export function useMockedDynamo(): AwsClientStub<DynamoDBClient> {
  const dynamo = mockClient(DynamoDBClient);
  const env = { ...process.env };
  beforeEach(() => {
    dynamo.reset();
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
    });
  });
  afterAll(() => {
    dynamo.restore();
    process.env = env;
  });
  return dynamo;
}

/**
 * The replicator's writers and settings as the redrive tests run it in-process behind the
 * mapping emulator: one attempt per write, so a refused batch fails at once to the DLQ.
 */
export function inProcessReplicator(targetsJson: string) {
  const writers = createTargetWriters(parseTargets(targetsJson, 'us-east-1'), {
    stsRegion: 'us-east-1',
    sessionName: 'replicator',
    maxAttempts: 1,
  });
  const config = { excludeAttributes: new Set<string>(), skipTtlDeletes: false, maxConcurrency: 4 };
  return { writers, config };
}

export function sourceClient(region = 'us-east-1'): DynamoDBClient {
  return new DynamoDBClient({ region });
}

/** A client acting in the target account, with credentials from AssumeRole like the CLI's. */
export async function targetAccountClient(region: string): Promise<DynamoDBClient> {
  const sts = new STSClient({ region: 'us-east-1' });
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: TARGET_ROLE, RoleSessionName: 'test' }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
  return new DynamoDBClient({
    region,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  });
}

export async function createTable(
  client: DynamoDBClient,
  name: string,
  options: { sortKey?: boolean; stream?: boolean } = {},
): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        ...(options.sortKey ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : []),
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        ...(options.sortKey ? [{ AttributeName: 'sk', AttributeType: 'N' as const }] : []),
      ],
      ...(options.stream
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
        : {}),
    }),
  );
}

export async function putItems(client: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as Item[];
      let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

/** Every item of a table, by key string (pk, and sk when present). */
export async function scanAll(client: DynamoDBClient, table: string): Promise<Map<string, Item>> {
  const out = new Map<string, Item>();
  for await (const page of paginateScan({ client }, { TableName: table })) {
    for (const item of page.Items ?? []) out.set(keyOf(item), item);
  }
  return out;
}

export function keyOf(item: Item): string {
  return `${item.pk?.S}|${item.sk?.N ?? ''}`;
}

/** A canonical text of an item for equality (attribute order and set order ignored, bytes as base64). */
export function canonical(item: Item | undefined): string {
  if (!item) return '(none)';
  const enc = (v: AttributeValue): unknown => {
    if (v.B) return { B: Buffer.from(v.B).toString('base64') };
    if (v.BS) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')).sort() };
    if (v.SS) return { SS: [...v.SS].sort() };
    if (v.NS) return { NS: [...v.NS].sort() };
    if (v.M)
      return {
        M: Object.fromEntries(
          Object.keys(v.M)
            .sort()
            .map((k) => [k, enc(v.M?.[k] as AttributeValue)]),
        ),
      };
    if (v.L) return { L: v.L.map(enc) };
    return v;
  };
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(item)
        .sort()
        .map((k) => [k, enc(item[k] as AttributeValue)]),
    ),
  );
}

/** Names of keys whose items differ between two table snapshots (missing, extra or different). */
export function differences(a: Map<string, Item>, b: Map<string, Item>): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (canonical(v) !== canonical(b.get(k))) out.push(k);
  for (const k of b.keys()) if (!a.has(k)) out.push(k);
  return out;
}

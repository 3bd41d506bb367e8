/**
 * Test data and table helpers shared by the integration and end-to-end tests:
 * items with every attribute type in its awkward forms, clients for other accounts
 * through assumed roles, and scans in a canonical form that compares byte for byte.
 */

import {
  type AttributeValue,
  CreateTableCommand,
  DynamoDBClient,
  paginateScan,
  type TableCreationParameters,
} from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

export type SdkItem = Record<string, AttributeValue>;

/** Credentials of the default moto account (123456789012). */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** A client for moto in region, with the default account's credentials or the given ones. */
export function dynamoClient(
  endpoint: string,
  region: string,
  credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  } = MOTO_CREDENTIALS,
): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials });
}

/** An S3 client for moto in region (path-style: moto serves no bucket subdomains), as dynamoClient. */
export function s3Client(
  endpoint: string,
  region: string,
  credentials: Parameters<typeof dynamoClient>[2] = MOTO_CREDENTIALS,
): S3Client {
  return new S3Client({ endpoint, region, credentials, forcePathStyle: true });
}

/**
 * A DynamoDB client acting in the role's account (moto maps assumed-role credentials to
 * the account in the role ARN). The AssumeRole call uses sessionName so that tests can
 * tell these sessions from the function's.
 */
/** Temporary credentials of `roleArn` from moto's STS (AssumeRole with moto's default credentials). */
export async function assumeRoleCredentials(
  endpoint: string,
  region: string,
  roleArn: string,
  options: { externalId?: string; sessionName?: string } = {},
): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }> {
  const sts = new STSClient({ endpoint, region, credentials: MOTO_CREDENTIALS });
  try {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: options.sessionName ?? 'test-setup',
        ...(options.externalId ? { ExternalId: options.externalId } : {}),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
    };
  } finally {
    sts.destroy();
  }
}

export async function assumedRoleDynamoClient(
  endpoint: string,
  region: string,
  roleArn: string,
  options: { externalId?: string; sessionName?: string } = {},
): Promise<DynamoDBClient> {
  return dynamoClient(endpoint, region, await assumeRoleCredentials(endpoint, region, roleArn, options));
}

/** The key schema every fixture table uses: pk (S) hash key, sk (N) range key. */
export const KEY_SCHEMA = { hash: 'pk', range: 'sk' } as const;

/** Keys and billing of every fixture table, whether CreateTable or ImportTable makes it. */
export const TABLE_SCHEMA: Omit<TableCreationParameters, 'TableName'> = {
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'N' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
};

/** Creates an on-demand table keyed pk (S) / sk (N); with stream, NEW_AND_OLD_IMAGES. Returns the stream ARN if any. */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  options: { stream?: boolean } = {},
): Promise<string | undefined> {
  const out = await client.send(
    new CreateTableCommand({
      TableName: tableName,
      ...TABLE_SCHEMA,
      ...(options.stream
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
        : {}),
    }),
  );
  return out.TableDescription?.LatestStreamArn;
}

/** Every item of a table (consistent reads). */
export async function scanAll(client: DynamoDBClient, tableName: string): Promise<SdkItem[]> {
  const items: SdkItem[] = [];
  for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

/**
 * A JSON-comparable form of an attribute value that loses nothing: binaries become hex
 * (every byte compared), sets are sorted (DynamoDB sets have no order), map keys sorted.
 */
export function canonicalValue(v: AttributeValue): unknown {
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: v.N };
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('hex') };
  if (v.SS !== undefined) return { SS: [...v.SS].sort() };
  if (v.NS !== undefined) return { NS: [...v.NS].sort() };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('hex')).sort() };
  if (v.M !== undefined) return { M: canonicalItem(v.M) };
  if (v.L !== undefined) return { L: v.L.map(canonicalValue) };
  if (v.NULL !== undefined) return { NULL: v.NULL };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  throw new Error(`attribute value of unknown type: ${Object.keys(v).join(',')}`);
}

export function canonicalItem(item: SdkItem): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(item).sort()) out[name] = canonicalValue(item[name] as AttributeValue);
  return out;
}

/** A table's items in canonical form, ordered by key, for deep comparison. */
export function canonicalTable(items: SdkItem[]): Record<string, unknown>[] {
  const key = (i: SdkItem) => `${i.pk?.S}\u0000${i.sk?.N}`;
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map(canonicalItem);
}

/** The 256 byte values, in order. */
export const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Text that must never appear in the function's logs (the logs carry no item contents). */
export const SECRET_MARKER = 'do-not-log-7f3a9c';

/** Strings that trip naive encoders: empty, combining marks, RTL, astral planes, controls. */
export const TRICKY_STRINGS = [
  '',
  'héllo wörld',
  'e\u0301 (combining acute)',
  'שלום עולם',
  '日本語テキスト',
  '🎉👩‍👩‍👧‍👦🏳️‍🌈',
  'tab\tnew line\nreturn\r quote" backslash\\ nul\u0000 end',
  '\uFEFFbyte order mark',
  'a'.repeat(1000),
];

/** Numbers at DynamoDB's limits: 38 significant digits, exponents from -130 to +125. */
export const TRICKY_NUMBERS = [
  '0',
  '-1',
  '12345678901234567890123456789012345678',
  '-12345678901234567890123456789012345678',
  '0.12345678901234567890123456789012345678',
  '9.9999999999999999999999999999999999999E+125',
  '-9.9999999999999999999999999999999999999E+125',
  '1E-130',
  '-1E-130',
];

function nested(depth: number): AttributeValue {
  if (depth === 0) {
    return {
      M: {
        leafS: { S: `deepest ${SECRET_MARKER}` },
        leafN: { N: '1E-130' },
        leafB: { B: ALL_BYTES },
        leafNull: { NULL: true },
        leafBool: { BOOL: false },
        leafEmptyList: { L: [] },
        leafEmptyMap: { M: {} },
      },
    };
  }
  return depth % 2 === 0
    ? { M: { [`level${depth}`]: nested(depth - 1), [`sibling${depth}`]: { S: `at ${depth}` } } }
    : { L: [nested(depth - 1), { N: String(depth) }, { BOOL: true }] };
}

/** Items with every attribute type in its awkward forms; pk/sk keys, sk 1..n. */
export function trickyItems(pk = 'tricky'): SdkItem[] {
  const reversed = Uint8Array.from(ALL_BYTES).reverse();
  return [
    {
      pk: { S: pk },
      sk: { N: '1' },
      kind: { S: 'strings' },
      ...Object.fromEntries(TRICKY_STRINGS.map((s, i) => [`s${i}`, { S: s }])),
      secret: { S: SECRET_MARKER },
      'attr name with spaces.and.dots': { S: 'names may hold anything' },
      'ключ-🔑': { S: 'unicode attribute name' },
    },
    {
      pk: { S: pk },
      sk: { N: '2' },
      kind: { S: 'numbers' },
      ...Object.fromEntries(TRICKY_NUMBERS.map((n, i) => [`n${i}`, { N: n }])),
      numberSet: { NS: ['1', '-1', '1E-130', '9.9999999999999999999999999999999999999E+125', '0.5'] },
    },
    {
      pk: { S: pk },
      sk: { N: '3' },
      kind: { S: 'binaries' },
      allBytes: { B: ALL_BYTES },
      empty: { B: new Uint8Array(0) },
      zeros: { B: new Uint8Array(64) },
      binarySet: { BS: [ALL_BYTES, reversed, Uint8Array.of(0), Uint8Array.of(255), Uint8Array.of(0, 0)] },
    },
    {
      pk: { S: pk },
      sk: { N: '4' },
      kind: { S: 'sets and scalars' },
      stringSet: { SS: ['a', 'b', 'ü', '🎉', 'with space', SECRET_MARKER] },
      nothing: { NULL: true },
      yes: { BOOL: true },
      no: { BOOL: false },
      list: { L: [{ S: '' }, { N: '0' }, { B: ALL_BYTES }, { NULL: true }, { SS: ['x'] }, { NS: ['1'] }] },
    },
    {
      pk: { S: pk },
      sk: { N: '5' },
      kind: { S: 'nested 10 deep' },
      deep: nested(10),
    },
    {
      pk: { S: pk },
      sk: { N: '6' },
      kind: { S: 'large' },
      ...largeAttributes(390_000),
    },
  ];
}

/** Attributes totalling about `bytes`: text and random binary, under DynamoDB's 400 KB item limit. */
export function largeAttributes(bytes: number): SdkItem {
  const binary = new Uint8Array(Math.floor(bytes / 4));
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919 + 13) % 256;
  const text = 'ÿ'.repeat(Math.floor((bytes - binary.length) / 2)); // two UTF-8 bytes each
  return { bigText: { S: text }, bigBinary: { B: binary } };
}

/** The size DynamoDB counts for an item: UTF-8 names plus values (approximate for numbers). */
export function approximateItemBytes(item: SdkItem): number {
  const valueBytes = (v: AttributeValue): number => {
    if (v.S !== undefined) return Buffer.byteLength(v.S);
    if (v.N !== undefined) return Math.ceil(v.N.length / 2) + 1;
    if (v.B !== undefined) return v.B.length;
    if (v.SS !== undefined) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
    if (v.NS !== undefined) return v.NS.reduce((n, s) => n + Math.ceil(s.length / 2) + 1, 0);
    if (v.BS !== undefined) return v.BS.reduce((n, b) => n + b.length, 0);
    if (v.M !== undefined) return 3 + approximateItemBytes(v.M);
    if (v.L !== undefined) return 3 + v.L.reduce((n, x) => n + 1 + valueBytes(x), 0);
    return 1;
  };
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + valueBytes(v), 0);
}

/** An AssumeRole moto has answered: from its /moto-api/data.json (all accounts). */
export interface AssumedRoleSession {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly externalId: string | null;
  readonly accountId: string;
}

/** Every AssumeRole call moto has answered since start or reset. */
export async function assumedRoleSessions(endpoint: string): Promise<AssumedRoleSession[]> {
  const res = await fetch(`${endpoint}/moto-api/data.json`);
  if (!res.ok) throw new Error(`moto data.json: HTTP ${res.status}`);
  const data = (await res.json()) as {
    sts?: {
      AssumedRole?: {
        role_arn: string;
        session_name: string;
        external_id: string | null;
        account_id: string;
      }[];
    };
  };
  return (data.sts?.AssumedRole ?? []).map((r) => ({
    roleArn: r.role_arn,
    sessionName: r.session_name,
    externalId: r.external_id,
    accountId: r.account_id,
  }));
}

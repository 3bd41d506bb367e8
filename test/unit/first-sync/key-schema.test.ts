import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lambda/src/errors.js';
import { KeySchemaError } from '../../../lambda/src/first-sync/errors.js';
import { keySchemaSource } from '../../../lambda/src/first-sync/key-schema.js';

const ddb = mockClient(DynamoDBClient);
afterEach(() => ddb.reset());

const target = () => ({
  id: 'orders-replica@eu-west-1 as arn:aws:iam::111111111111:role/w',
  tableName: 'orders-replica',
  client: new DynamoDBClient({ region: 'eu-west-1' }),
});
const NONE = new Set<string>();

describe('the key attribute names the loader writes with', () => {
  it('are KEY_ATTRIBUTES when set, without asking DynamoDB', async () => {
    await expect(keySchemaSource(['id'], NONE, target())()).resolves.toEqual(['id']);
    expect(ddb.calls()).toHaveLength(0);
  });

  it("are otherwise the first target's key schema, hash key first, asked once per container", async () => {
    ddb.on(DescribeTableCommand, { TableName: 'orders-replica' }).resolves({
      Table: {
        KeySchema: [
          { AttributeName: 'sk', KeyType: 'RANGE' },
          { AttributeName: 'pk', KeyType: 'HASH' },
        ],
      },
    });
    const names = keySchemaSource(undefined, NONE, target());
    await expect(names()).resolves.toEqual(['pk', 'sk']);
    await expect(names()).resolves.toEqual(['pk', 'sk']);
    expect(ddb.commandCalls(DescribeTableCommand)).toHaveLength(1);
  });

  it('say what to do when DescribeTable is refused, and ask again next time', async () => {
    const denied = Object.assign(new Error('not authorized to perform dynamodb:DescribeTable'), {
      name: 'AccessDeniedException',
    });
    ddb
      .on(DescribeTableCommand)
      .rejectsOnce(denied)
      .resolves({ Table: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] } });
    const names = keySchemaSource(undefined, NONE, target());
    const err = await names().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeySchemaError);
    expect((err as Error).message).toBe(
      'cannot read the key schema of target orders-replica@eu-west-1 as arn:aws:iam::111111111111:role/w ' +
        '(DescribeTable: AccessDeniedException: not authorized to perform dynamodb:DescribeTable); ' +
        'set KEY_ATTRIBUTES to the key attribute names, e.g. "pk,sk", or grant dynamodb:DescribeTable',
    );
    await expect(names()).resolves.toEqual(['id']);
  });

  it('refuse an EXCLUDE_ATTRIBUTES that names a key attribute', async () => {
    ddb
      .on(DescribeTableCommand)
      .resolves({ Table: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] } });
    const err = await keySchemaSource(undefined, new Set(['id']), target())().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).setting).toBe('EXCLUDE_ATTRIBUTES');
  });
});

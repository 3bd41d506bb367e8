import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KeySchemaError } from './errors.js';
import { checkKeyNotExcluded } from './loader-config.js';

/**
 * The table's key attribute names, which the batch writer needs to match UnprocessedItems
 * back to their lines: KEY_ATTRIBUTES when set, else the first target's key schema, read
 * with DescribeTable (which the target role grants) once per container. A failure is not
 * kept: the next invocation asks again.
 */
export function keySchemaSource(
  keyAttributes: readonly string[] | undefined,
  exclude: ReadonlySet<string>,
  target: { readonly id: string; readonly tableName: string; readonly client: DynamoDBClient },
): () => Promise<readonly string[]> {
  if (keyAttributes !== undefined) return () => Promise.resolve(keyAttributes);
  let names: Promise<readonly string[]> | undefined;
  return () => {
    names ??= describeKey(target, exclude).catch((err: unknown) => {
      names = undefined;
      throw err;
    });
    return names;
  };
}

async function describeKey(
  target: { readonly id: string; readonly tableName: string; readonly client: DynamoDBClient },
  exclude: ReadonlySet<string>,
): Promise<readonly string[]> {
  let schema: { AttributeName?: string; KeyType?: string }[] | undefined;
  try {
    const out = await target.client.send(new DescribeTableCommand({ TableName: target.tableName }));
    schema = out.Table?.KeySchema;
  } catch (err) {
    const e = err as Error;
    throw new KeySchemaError(
      `cannot read the key schema of target ${target.id} (DescribeTable: ${e.name}: ${e.message}); ` +
        'set KEY_ATTRIBUTES to the key attribute names, e.g. "pk,sk", or grant dynamodb:DescribeTable',
    );
  }
  const hash = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const range = schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  if (hash === undefined) {
    throw new KeySchemaError(`DescribeTable of target ${target.id} returned no hash key; set KEY_ATTRIBUTES`);
  }
  const names = range === undefined ? [hash] : [hash, range];
  checkKeyNotExcluded(names, exclude);
  return names;
}

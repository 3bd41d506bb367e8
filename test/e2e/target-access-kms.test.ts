/**
 * modules/target-access with tables it looks up (lookup_tables = true, the default), applied
 * to moto: a table encrypted with a customer-managed key gives the role exactly the KMS
 * use DynamoDB needs, on that key only and only through DynamoDB in the region; a table
 * with DynamoDB's own key adds nothing. terraform test cannot cover this: its mock
 * provider cannot fill in the table's server_side_encryption block.
 */
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../support/deployed-replicator.js';
import { applyStack } from '../support/example-stack.js';
import { startLocalAws } from '../support/local-aws.js';
import { createTerraformWorkspace } from '../support/terraform-workspace.js';
import { asList, rolePolicies } from './deployed-iam.js';

const REGION = 'eu-west-1';
const ROOT = fileURLToPath(new URL('./kms-lookup', import.meta.url));

async function createTable(client: DynamoDBClient, name: string, kmsKeyArn?: string): Promise<string> {
  const out = await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      ...(kmsKeyArn
        ? { SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: kmsKeyArn } }
        : {}),
    }),
  );
  return out.TableDescription?.TableArn as string;
}

it('grants KMS use on the looked-up customer-managed key only, through DynamoDB only', async () => {
  const moto = await startLocalAws();
  const workspace = await createTerraformWorkspace('ddbsync-e2e-kms-');
  const config = { endpoint: moto.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS };
  const ddb = new DynamoDBClient(config);
  const kms = new KMSClient(config);
  try {
    const key = (await kms.send(new CreateKeyCommand({ Description: 'replica key' }))).KeyMetadata
      ?.Arn as string;
    const encrypted = await createTable(ddb, 'replica-cmk', key);
    const plain = await createTable(ddb, 'replica-aws-owned');

    const dir = join(workspace.root, 'test', 'e2e', 'kms-lookup');
    await mkdir(dir, { recursive: true });
    await cp(join(ROOT, 'main.tf'), join(dir, 'main.tf'));
    const stack = await applyStack(dir, {
      endpoint: moto.endpoint,
      vars: { table_names: ['replica-cmk', 'replica-aws-owned'] },
    });

    const role = await rolePolicies(moto.endpoint, stack.outputs.role_arn as string);
    const statements = role.inline.map((s) => ({
      Sid: s.Sid,
      Action: asList(s.Action).sort(),
      Resource: asList(s.Resource).sort(),
      Condition: s.Condition,
    }));
    expect(statements.sort((a, b) => String(a.Sid).localeCompare(String(b.Sid)))).toEqual([
      {
        Sid: 'UseTargetTableKeys',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*'],
        Resource: [key],
        Condition: { StringEquals: { 'kms:ViaService': `dynamodb.${REGION}.amazonaws.com` } },
      },
      {
        Sid: 'WriteTargetTables',
        Action: [
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteItem',
          'dynamodb:DescribeTable',
          'dynamodb:PutItem',
        ],
        Resource: [plain, encrypted].sort(),
        Condition: undefined,
      },
    ]);
    await stack.destroy();
  } finally {
    ddb.destroy();
    kms.destroy();
    await moto.stop();
    await workspace.remove();
  }
}, 600_000);

/**
 * Access denied: the one-line message a user gets. moto can enforce IAM, but it answers a
 * refused DynamoDB call with an XML body that the SDK cannot parse for DynamoDB's JSON
 * protocol, so the service's answer (AccessDeniedException, as AWS sends it) is given to
 * the real SDK client here, and the CLI runs in-process through its real entry.
 */
import { DescribeTableCommand, DynamoDBServiceException, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { cli, useMockedDynamo } from './helpers.js';

const denied = (action: string, table: string) =>
  new DynamoDBServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: dynamodb:${action} on resource: arn:aws:dynamodb:us-east-1:123456789012:table/${table} because no identity-based policy allows the dynamodb:${action} action`,
  });

describe('ddbsync when AWS refuses access', () => {
  const dynamo = useMockedDynamo();
  const targets = '[{"tableName":"payroll-copy","region":"eu-west-1"}]';

  it('a table the user may not describe: one line naming the table, exit 2', async () => {
    dynamo.on(DescribeTableCommand).rejects(denied('DescribeTable', 'payroll'));
    const r = await cli(['verify', '--source-table', 'payroll', '--targets', targets]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^ddbsync: source table "payroll": access denied \(User: .* is not authorized to perform: dynamodb:DescribeTable .*\)\n$/,
    );
  });

  it('a read the user may not make: one line with the AWS error code, exit 2', async () => {
    dynamo.on(DescribeTableCommand).resolves({
      Table: { TableName: 'payroll', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], ItemCount: 1 },
    });
    dynamo.on(ScanCommand).rejects(denied('Scan', 'payroll'));
    const r = await cli(['backfill', '--source-table', 'payroll', '--targets', targets, '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ddbsync: AccessDeniedException: User: .* dynamodb:Scan .*\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

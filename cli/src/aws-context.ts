import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TargetConfig } from '#core';
import { type ClientOptions, createTargetClient, sessionName } from '#core';
import { ResourceError, UsageError } from './errors.js';
import type { CliIo } from './io.js';

export interface GlobalOptions {
  region?: string;
  profile?: string;
}

/** Region and client settings every command shares. */
export interface AwsContext {
  readonly region: string;
  readonly clientOptions: ClientOptions;
}

export function awsContext(global: GlobalOptions, io: CliIo, command: string): AwsContext {
  // The SDK's default credential chain reads AWS_PROFILE; --profile is a shortcut for it.
  if (global.profile) process.env.AWS_PROFILE = global.profile;
  const region = global.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('no region: give --region or set AWS_REGION');
  return {
    region,
    clientOptions: { stsRegion: region, sessionName: sessionName('ddbsync', command), maxAttempts: 5 },
  };
}

/** A DynamoDB client for a table, through the replicator's own client code (assumed role included). */
export function tableClient(ctx: AwsContext, table: TargetConfig): DynamoDBClient {
  return createTargetClient(table, ctx.clientOptions);
}

export interface TableInfo {
  readonly keyNames: string[];
  readonly itemCount: number;
  readonly streamViewType?: string;
}

export async function describeTable(
  client: DynamoDBClient,
  tableName: string,
  where: string,
): Promise<TableInfo> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const table = out.Table;
    const keyNames = (table?.KeySchema ?? []).map((k) => k.AttributeName as string);
    return {
      keyNames,
      itemCount: table?.ItemCount ?? 0,
      ...(table?.StreamSpecification?.StreamViewType
        ? { streamViewType: table.StreamSpecification.StreamViewType }
        : {}),
    };
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'ResourceNotFoundException') {
      throw new ResourceError(`${where} table "${tableName}" does not exist in ${await regionOf(client)}`, {
        cause: err,
      });
    }
    if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException') {
      throw new ResourceError(`${where} table "${tableName}": access denied (${(err as Error).message})`, {
        cause: err,
      });
    }
    throw err;
  }
}

async function regionOf(client: DynamoDBClient): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    return 'its region';
  }
}

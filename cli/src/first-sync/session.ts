/**
 * The AWS side of the first-sync commands: clients in the state machine's region, starting an
 * execution, finding the newest one, and the `--load import` size check.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  InvalidArn,
  paginateListExecutions,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { awsContext, type GlobalOptions } from '../aws-context.js';
import { ResourceError, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { importTooLarge, sourceTableArnOf } from './import-limits.js';
import { FirstSyncReader } from './reader.js';

export interface Session {
  readonly region: string;
  readonly sfn: SFNClient;
  dynamo(region: string): DynamoDBClient;
  reader(): FirstSyncReader;
}

/** Clients for the region in `arn` (a state machine's or an execution's), else --region. */
export function session(global: GlobalOptions, io: CliIo, arn: string, command: string): Session {
  const fromArn = regionOf(arn);
  const ctx = awsContext(
    { ...global, ...(global.region || !fromArn ? {} : { region: fromArn }) },
    io,
    command,
  );
  const region = fromArn ?? ctx.region;
  const sfn = new SFNClient({ region, maxAttempts: 5 });
  const dynamos = new Map<string, DynamoDBClient>();
  const dynamo = (r: string) => {
    const key = r || region;
    let client = dynamos.get(key);
    if (!client) {
      client = new DynamoDBClient({ region: key, maxAttempts: 5 });
      dynamos.set(key, client);
    }
    return client;
  };
  return { region, sfn, dynamo, reader: () => new FirstSyncReader({ sfn, dynamo }) };
}

export interface StartInput {
  readonly action: 'sync' | 'verify';
  readonly load: 'map' | 'import';
  readonly repair: boolean;
}

export async function startExecution(
  s: Session,
  stateMachineArn: string,
  name: string,
  input: StartInput,
): Promise<string> {
  try {
    const out = await s.sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    if (!out.executionArn) throw new ResourceError(`StartExecution of ${stateMachineArn} returned no ARN`);
    return out.executionArn;
  } catch (err) {
    throw missing(err, `state machine ${stateMachineArn}`);
  }
}

/** The newest execution of the state machine (what `status` shows without --execution-arn). */
export async function newestExecution(s: Session, stateMachineArn: string): Promise<string> {
  let newest: { arn: string; start: number } | undefined;
  try {
    for await (const page of paginateListExecutions(
      { client: s.sfn },
      { stateMachineArn, maxResults: 100 },
    )) {
      for (const e of page.executions ?? []) {
        const start = e.startDate?.getTime() ?? 0;
        if (e.executionArn && (!newest || start > newest.start)) newest = { arn: e.executionArn, start };
      }
      // AWS lists the newest first: the first page holds it.
      break;
    }
  } catch (err) {
    throw missing(err, `state machine ${stateMachineArn}`);
  }
  if (!newest) throw new ResourceError(`state machine ${stateMachineArn} has no executions`);
  return newest.arn;
}

/**
 * Refuses `--load import` for a source table larger than ImportTable takes in one of the
 * target regions. The table is --source-table (in the state machine's region) or the one the
 * state machine exports.
 */
export async function checkImportSize(
  s: Session,
  stateMachineArn: string,
  sourceTable: string | undefined,
  targetRegions: readonly string[] | undefined,
): Promise<void> {
  let table = sourceTable;
  let tableRegion = s.region;
  if (!table) {
    let definition: string | undefined;
    try {
      definition = (await s.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).definition;
    } catch (err) {
      throw missing(err, `state machine ${stateMachineArn}`);
    }
    const arn = sourceTableArnOf(definition);
    if (!arn) {
      throw new UsageError(
        `cannot find the source table in ${stateMachineArn}'s definition; give --source-table for the --load import check`,
      );
    }
    table = arn;
    tableRegion = regionOf(arn) ?? s.region;
  }
  let size: number;
  try {
    const out = await s.dynamo(tableRegion).send(new DescribeTableCommand({ TableName: table }));
    size = out.Table?.TableSizeBytes ?? 0;
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') {
      throw new ResourceError(`source table "${table}" does not exist in ${tableRegion}`, { cause: err });
    }
    throw err;
  }
  const problem = importTooLarge(size, targetRegions ?? [s.region]);
  if (problem) throw new UsageError(`--load import: ${problem}`);
}

/** The region field of an ARN (arn:aws:states:REGION:...). */
export function regionOf(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region ? region : undefined;
}

/** A missing or malformed state machine or execution as a ResourceError naming it; other errors as they are. */
export function missing(err: unknown, what: string): unknown {
  if (
    err instanceof StateMachineDoesNotExist ||
    err instanceof ExecutionDoesNotExist ||
    err instanceof InvalidArn ||
    (err as Error).name === 'ResourceNotFound'
  ) {
    return new ResourceError(`${what}: ${(err as Error).message || (err as Error).name}`, { cause: err });
  }
  return err;
}

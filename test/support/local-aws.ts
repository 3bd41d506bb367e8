/**
 * The local AWS the demo and the end-to-end tests deploy to: a moto server started through
 * test/support/moto_server.py, which is moto_server with the DynamoDB Streams behaviour that
 * replication depends on (the launcher's docstring lists each patch and the test needing it):
 * - moto delivers no DynamoDB stream records itself and leaves them in the stream (moto 5.2.1
 *   otherwise hands the records of every write to any mapping on the table, enabled or not,
 *   through Docker, and then discards them): the tests' emulator delivers them;
 * - a mapping the emulator polls goes through Disabling/Enabling until the emulator has
 *   stopped/started (test/support/mapping-follower.ts), as on AWS;
 * - shards roll over on request (rolloverShard): the open shard closes and a child takes
 *   later writes, as DynamoDB does every few hours;
 * - DescribeStream lists every shard and pages them (Limit, ExclusiveStartShardId);
 * and with what the first sync needs (test/support/moto_patches_first_sync.py: Step Functions
 * executions, ImportTable, the export layout, Lambda Invoke). Everything else is moto's.
 *
 * With `localLambda: true`, Lambda's Invoke API (and so a Step Functions Lambda task) runs
 * the deployed function's code through test/support/local-lambda-service.ts, which moto
 * reaches through DDBSYNC_LOCAL_LAMBDA_URL; without it, moto would need Docker.
 */
import { fileURLToPath } from 'node:url';
import { type LocalLambdaService, startLocalLambdaService } from './local-lambda-service.js';
import { type MotoServer, startMoto } from './moto.js';

/** The launcher; startLocalAws runs it unless LOCAL_AWS_SERVER or `launcher` names another executable. */
export const MOTO_LAUNCHER = fileURLToPath(new URL('./moto_server.py', import.meta.url));

/** The variable the launcher reads to forward Lambda invocations. */
export const LOCAL_LAMBDA_URL_ENV = 'DDBSYNC_LOCAL_LAMBDA_URL';

export interface LocalAwsOptions {
  timeoutMs?: number;
  /** Run invoked Lambda functions locally (see the file comment). */
  localLambda?: boolean;
  /** The executable to run instead of the launcher, e.g. "moto_server" to see what stock moto does. */
  launcher?: string;
}

/** The local AWS with its local Lambda service; reset() and stop() cover both. */
export interface LocalAwsWithLambda extends MotoServer {
  readonly lambda: LocalLambdaService;
}

/** Runs fn with the given variables set in process.env (startMoto passes process.env to moto). */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const previous = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export interface Rollover {
  /** The shard that was open and is now closed. */
  readonly closedShardId: string;
  /** Its child, which takes every later write. */
  readonly shardId: string;
}

/** Closes the stream's open shard and opens a child (a launcher endpoint; stock moto has none). */
export async function rolloverShard(endpoint: string, streamArn: string): Promise<Rollover> {
  const res = await fetch(
    `${endpoint}/moto-api/ddbsync/rollover?streamArn=${encodeURIComponent(streamArn)}`,
    { method: 'POST' },
  );
  const body = await res.text();
  if (!res.ok) throw new Error(`shard rollover of ${streamArn} failed: ${res.status} ${body}`);
  return JSON.parse(body) as Rollover;
}

export async function startLocalAws(
  options: LocalAwsOptions & { localLambda: true },
): Promise<LocalAwsWithLambda>;
export async function startLocalAws(options?: LocalAwsOptions): Promise<MotoServer>;
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<MotoServer | LocalAwsWithLambda> {
  // LOCAL_AWS_SERVER=moto_server runs a test on stock moto, to show that it needs the launcher's patches.
  const { localLambda, launcher = process.env.LOCAL_AWS_SERVER || MOTO_LAUNCHER, ...motoOptions } = options;
  if (!localLambda) return withEnv({ MOTO_SERVER: launcher }, () => startMoto(motoOptions));

  // The service listens first so that moto can be told its address at start.
  const lambda = await startLocalLambdaService();
  let moto: MotoServer;
  try {
    moto = await withEnv({ MOTO_SERVER: launcher, [LOCAL_LAMBDA_URL_ENV]: lambda.url }, () =>
      startMoto(motoOptions),
    );
  } catch (err) {
    await lambda.stop();
    throw err;
  }
  lambda.connect(moto.endpoint);
  return {
    ...moto,
    lambda,
    reset: async () => {
      await lambda.reset();
      await moto.reset();
    },
    stop: async () => {
      await lambda.stop();
      await moto.stop();
    },
  };
}

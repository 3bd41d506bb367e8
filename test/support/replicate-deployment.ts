/**
 * The product's main job, on a deployment Terraform made on the local AWS: change the
 * source table in rounds, deliver its stream to the deployed function (run locally, as
 * deployed), and compare every replica with the source, byte for byte.
 * Shared by `make demo` (scripts/demo.ts) and the end-to-end tests (test/e2e).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DeployedReplicator,
  type Deployment,
  LOCAL_CREDENTIALS,
  type Replica,
  startDeployedReplicator,
} from './deployed-replicator.js';
import type { DrainStats } from './event-source-mapping.js';
import { assumeRoleCredentials } from './fixtures.js';
import {
  applyRound,
  type Difference,
  demoRounds,
  difference,
  keySchema,
  tableSnapshot,
} from './replication-workload.js';

/** moto's account for plain credentials. */
export const SOURCE_ACCOUNT = '123456789012';

/** The role Terraform's target provider assumes in another account (target_assume_role_arn). */
export function deployerRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/terraform`;
}

/** A client that reads a replica table in its own account and region. */
export async function replicaClient(endpoint: string, replica: Replica): Promise<DynamoDBClient> {
  if (replica.accountId === SOURCE_ACCOUNT) {
    return new DynamoDBClient({ endpoint, region: replica.region, credentials: LOCAL_CREDENTIALS });
  }
  const credentials = await assumeRoleCredentials(
    endpoint,
    replica.region,
    deployerRoleArn(replica.accountId),
    {
      sessionName: 'ddbsync-check',
    },
  );
  return new DynamoDBClient({ endpoint, region: replica.region, credentials });
}

export function replicaLabel(r: Replica): string {
  return `${r.tableName} (${r.accountId}, ${r.region})`;
}

export interface RoundReport {
  readonly title: string;
  readonly changes: number;
  readonly drain: DrainStats;
  /** Function invocations that failed (thrown, timeout, crash). */
  readonly functionErrors: number;
  /** Records the function reported as failed (batchItemFailures), over all invocations. */
  readonly reportedFailures: number;
  readonly sourceItems: number;
  /** Items in each replica after the round, in deployment.replicas order. */
  readonly replicaItems: readonly number[];
}

export interface ReplicationReport {
  readonly replicator: Pick<DeployedReplicator, 'function' | 'mapping' | 'settings' | 'environment'>;
  readonly rounds: readonly RoundReport[];
  readonly sourceItems: number;
  /** One entry per replica: undefined when it equals the source. */
  readonly differences: readonly (Difference | undefined)[];
  /** True when every replica equals the source and nothing failed or went to the DLQ. */
  readonly ok: boolean;
}

export interface ReplicateOptions {
  readonly endpoint: string;
  readonly deployment: Deployment;
  readonly zipPath: string;
  /** Called once the deployed function and mapping have been read back. */
  readonly onStarted?: (replicator: DeployedReplicator) => void;
  readonly onRound?: (round: RoundReport, index: number) => void;
}

function batchItemFailures(result: unknown): number {
  const failures = (result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures;
  return Array.isArray(failures) ? failures.length : 0;
}

/** Runs the rounds of changes through the deployed replicator and compares the tables. */
export async function replicateDeployment(options: ReplicateOptions): Promise<ReplicationReport> {
  const { endpoint, deployment } = options;
  const source = new DynamoDBClient({
    endpoint,
    region: deployment.sourceRegion,
    credentials: LOCAL_CREDENTIALS,
  });
  const replicas = await Promise.all(deployment.replicas.map((r) => replicaClient(endpoint, r)));
  const replicator = await startDeployedReplicator({ endpoint, deployment, zipPath: options.zipPath });
  try {
    options.onStarted?.(replicator);
    const keys = await keySchema(source, deployment.sourceTableName);
    const rounds: RoundReport[] = [];
    for (const [index, round] of demoRounds(keys).entries()) {
      await applyRound(source, deployment.sourceTableName, round);
      const before = replicator.outcomes.length;
      const drain = await replicator.drain();
      const outcomes = replicator.outcomes.slice(before);
      const report: RoundReport = {
        title: round.title,
        changes: round.changes.length,
        drain,
        functionErrors: outcomes.filter((o) => o.error).length,
        reportedFailures: outcomes.reduce((n, o) => n + batchItemFailures(o.result), 0),
        sourceItems: (await tableSnapshot(source, deployment.sourceTableName)).length,
        replicaItems: await Promise.all(
          deployment.replicas.map(
            async (r, i) => (await tableSnapshot(replicas[i] as DynamoDBClient, r.tableName)).length,
          ),
        ),
      };
      rounds.push(report);
      options.onRound?.(report, index);
    }
    const expected = await tableSnapshot(source, deployment.sourceTableName);
    const differences = await Promise.all(
      deployment.replicas.map(async (r, i) =>
        difference(expected, await tableSnapshot(replicas[i] as DynamoDBClient, r.tableName)),
      ),
    );
    const failed = rounds.some((r) => r.functionErrors > 0 || r.drain.sentToDlq > 0);
    return {
      replicator,
      rounds,
      sourceItems: expected.length,
      differences,
      ok: !failed && differences.every((d) => d === undefined),
    };
  } finally {
    await replicator.stop();
    source.destroy();
    for (const c of replicas) c.destroy();
  }
}

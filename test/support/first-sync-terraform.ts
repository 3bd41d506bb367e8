/**
 * The first sync's end-to-end deployment: test/e2e/first-sync-stack (a Terraform root
 * configuration: a source table in account A, targets in accounts B and C in two other
 * regions, the replicator with its mapping paused at TRIM_HORIZON, modules/first-sync and the
 * first-sync roles of modules/target-access) applied to the local AWS in a workspace copy.
 */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { type Deployment, DeploymentError, deploymentFromOutputs } from './deployed-replicator.js';
import { applyStack, type ExampleStack } from './example-stack.js';
import { deployerRoleArn } from './replicate-deployment.js';
import { createTerraformWorkspace, REPO_ROOT, type TerraformWorkspace } from './terraform-workspace.js';

const STACK_DIR = join('test', 'e2e', 'first-sync-stack');

export interface FirstSyncDeployment extends Deployment {
  readonly stateMachineArn: string;
  readonly bucketName: string;
}

export function firstSyncDeploymentFromOutputs(outputs: Record<string, unknown>): FirstSyncDeployment {
  const text = (name: string) => {
    const v = outputs[name];
    if (typeof v !== 'string' || v === '') {
      throw new DeploymentError(`output "${name}" is ${JSON.stringify(v)}; expected a non-empty string`);
    }
    return v;
  };
  return {
    ...deploymentFromOutputs(outputs),
    stateMachineArn: text('first_sync_state_machine_arn'),
    bucketName: text('first_sync_bucket_name'),
  };
}

export interface TargetPlace {
  readonly accountId: string;
  readonly region: string;
}

export interface FirstSyncStackOptions {
  readonly endpoint: string;
  readonly name: string;
  readonly targetB: TargetPlace;
  readonly targetC: TargetPlace;
  /** The import path: the target tables are not created; the workflow imports into them. */
  readonly newTargetTables: boolean;
  readonly onOutput?: (chunk: string) => void;
}

export interface AppliedFirstSyncStack {
  readonly deployment: FirstSyncDeployment;
  readonly stack: ExampleStack;
  /** Destroys what was applied and removes the workspace. */
  remove(): Promise<void>;
}

export async function applyFirstSyncStack(o: FirstSyncStackOptions): Promise<AppliedFirstSyncStack> {
  const workspace: TerraformWorkspace = await createTerraformWorkspace('ddbsync-first-sync-');
  try {
    const dir = join(workspace.root, STACK_DIR);
    await cp(join(REPO_ROOT, STACK_DIR), dir, { recursive: true });
    const place = (t: TargetPlace) => ({ region: t.region, deployer_role_arn: deployerRoleArn(t.accountId) });
    const stack = await applyStack(dir, {
      endpoint: o.endpoint,
      vars: {
        name: o.name,
        target_b: place(o.targetB),
        target_c: place(o.targetC),
        new_target_tables: o.newTargetTables,
      },
      ...(o.onOutput ? { onOutput: o.onOutput } : {}),
    });
    return {
      deployment: firstSyncDeploymentFromOutputs(stack.outputs),
      stack,
      remove: async () => {
        await stack.destroy().catch(() => undefined);
        await workspace.remove();
      },
    };
  } catch (err) {
    await workspace.remove();
    throw err;
  }
}

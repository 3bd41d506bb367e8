/**
 * Applies an example (a Terraform root config under examples/) to the local AWS, in a
 * workspace copy: an override file points its providers at the local endpoint (see
 * local-aws-override.ts), the target account is reached through a role Terraform assumes
 * there, and the stream mapping is created disabled (the replicator's records are
 * delivered by LocalEventSourceMapping, see test/support/deployed-replicator.ts).
 */
import { writeLocalAwsOverride } from './local-aws-override.js';
import {
  apply,
  destroy,
  init,
  localAwsEnv,
  output,
  type RunOptions,
  type TerraformVar,
} from './terraform.js';

export interface ExampleStack {
  readonly dir: string;
  readonly outputs: Record<string, unknown>;
  destroy(): Promise<void>;
}

/** Variables for an example on the local AWS; a target in another account is reached via its deployer role. */
export function localExampleVars(target?: {
  accountId: string;
  roleArn: string;
}): Record<string, TerraformVar> {
  return {
    mapping_enabled: false,
    ...(target ? { target_account_id: target.accountId, target_assume_role_arn: target.roleArn } : {}),
  };
}

export interface ApplyOptions {
  readonly endpoint: string;
  readonly vars: Record<string, TerraformVar | undefined>;
  readonly onOutput?: (chunk: string) => void;
}

/** Override file + init + apply in dir (a workspace copy); returns the outputs and a destroy with the same variables. */
export async function applyStack(dir: string, options: ApplyOptions): Promise<ExampleStack> {
  const run: RunOptions = {
    env: localAwsEnv(),
    vars: options.vars,
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  };
  await writeLocalAwsOverride(dir, options.endpoint);
  await init(dir, run);
  const stack: ExampleStack = {
    dir,
    outputs: {},
    destroy: async () => {
      await destroy(dir, run);
    },
  };
  try {
    await apply(dir, run);
  } catch (err) {
    // Remove what a failed apply created; the caller stops the local AWS anyway.
    await stack.destroy().catch(() => undefined);
    throw err;
  }
  return { ...stack, outputs: await output(dir, run) };
}

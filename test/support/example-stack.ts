/**
 * Applies an example (a Terraform root config under examples/) to the local AWS, in a
 * workspace copy, with the variables every example takes for it: the endpoint, the
 * target account reached through a role Terraform assumes there, and the stream mapping
 * created but disabled (the replicator's records are delivered by LocalEventSourceMapping,
 * see test/support/deployed-replicator.ts).
 */
import {
  apply,
  destroy,
  init,
  localAwsOptions,
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
export function localExampleVars(
  endpoint: string,
  target?: { accountId: string; roleArn: string },
): Record<string, TerraformVar> {
  return {
    ...localAwsOptions(endpoint).vars,
    mapping_enabled: false,
    ...(target ? { target_account_id: target.accountId, target_assume_role_arn: target.roleArn } : {}),
  };
}

export interface ApplyOptions {
  readonly endpoint: string;
  readonly vars: Record<string, TerraformVar | undefined>;
  readonly onOutput?: (chunk: string) => void;
}

/** init + apply in dir; returns the outputs and a destroy with the same variables. */
export async function applyStack(dir: string, options: ApplyOptions): Promise<ExampleStack> {
  const run: RunOptions = {
    env: localAwsOptions(options.endpoint).env,
    vars: options.vars,
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  };
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

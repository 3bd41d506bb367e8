/**
 * A CDK for Terraform app that deploys ddbsync's one-call module: the replicator on an
 * existing source table in account A and the role it assumes in account B to write the
 * existing replica table(s) there.
 *
 *   npm install && npx cdktf synth     # or: npx tsx main.ts
 *   cd cdktf.out/stacks/ddbsync && terraform init && terraform apply -var ...
 *
 * The module comes from this repository by default; set DDBSYNC_MODULE_SOURCE to consume
 * a released version instead, for example
 * git::https://github.com/<org>/ddbsync.git?ref=v0.1.0
 */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  App,
  LocalBackend,
  TerraformHclModule, TerraformOutput, TerraformProvider, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';

const STACK_NAME = 'ddbsync';

interface AwsProviderConfig {
  readonly region: string;
  readonly alias?: string;
  readonly assumeRoleArn?: string;
}

/**
 * The hashicorp/aws provider without generated bindings: the stack only configures
 * providers and calls a module, so `cdktf get` (and its large generated code) is not needed.
 */
class AwsProvider extends TerraformProvider {
  private readonly config: AwsProviderConfig;

  constructor(scope: Construct, id: string, config: AwsProviderConfig) {
    super(scope, id, {
      terraformResourceType: 'aws',
      terraformProviderSource: 'hashicorp/aws',
      terraformGeneratorMetadata: { providerName: 'aws', providerVersionConstraint: '>= 5.0' },
    });
    this.config = config;
  }

  // TerraformProvider leaves the alias to subclasses.
  override get alias(): string | undefined {
    return this.config.alias;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {
      region: this.config.region,
      assume_role:
        this.config.assumeRoleArn === undefined
          ? undefined
          : [{ role_arn: this.config.assumeRoleArn, session_name: 'ddbsync-cdktf' }],
    };
  }
}

/**
 * The module's source as Terraform sees it from the synthesized stack directory: a path
 * from cdktf.out/stacks/<stack>/ back to this repository's root, unless overridden.
 */
function moduleSource(outdir: string): string {
  const override = process.env.DDBSYNC_MODULE_SOURCE;
  if (override !== undefined && override !== '') return override;
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const stackDir = resolve(outdir, 'stacks', STACK_NAME);
  return relative(stackDir, repoRoot).split('\\').join('/');
}

class DdbsyncStack extends TerraformStack {
  constructor(scope: Construct, id: string, outdir: string) {
    super(scope, id);
    // State next to the synthesized stack (cdktf.out/stacks/ddbsync); use a remote backend for real deployments.
    new LocalBackend(this, { path: 'terraform.tfstate' });

    const variable = (name: string, description: string, extra: { default?: string; sensitive?: boolean } = {}) =>
      new TerraformVariable(this, name, { type: 'string', description, nullable: false, ...extra });
    const sourceRegion = variable('source_region', 'Region of the source table (account A).', {
      default: 'us-east-1',
    });
    const targetRegion = variable('target_region', 'Region of the replica table (account B).', {
      default: 'eu-west-1',
    });
    const sourceTable = variable('source_table_name', 'Existing source table with a NEW_AND_OLD_IMAGES stream.');
    const targetTable = variable('target_table_name', 'Existing replica table in account B.');
    const targetAccount = variable('target_account_id', 'Account B; planning stops if the target credentials differ.');
    const deployRole = variable('target_assume_role_arn', 'Role Terraform assumes to act in account B.');
    const externalId = variable('external_id', 'sts:ExternalId shared by the function and the target role.', {
      sensitive: true,
    });

    const source = new AwsProvider(this, 'aws', { region: sourceRegion.stringValue });
    const target = new AwsProvider(this, 'aws_target', {
      region: targetRegion.stringValue,
      alias: 'target',
      assumeRoleArn: deployRole.stringValue,
    });

    const ddbsync = new TerraformHclModule(this, 'ddbsync', {
      source: moduleSource(outdir),
      // The module is referenced in place; copying it as a CDKTF asset would copy the whole repository.
      skipAssetCreationFromLocalModules: true,
      providers: [source, { provider: target, moduleAlias: 'target' }],
      variables: {
        name: 'ddbsync-cdktf',
        source_table_name: sourceTable.stringValue,
        target_table_names: [targetTable.stringValue],
        target_account_id: targetAccount.stringValue,
        external_id: externalId.stringValue,
      },
    });

    new TerraformOutput(this, 'function_name', { value: ddbsync.get('function_name') });
    new TerraformOutput(this, 'event_source_mapping_uuid', { value: ddbsync.get('event_source_mapping_uuid') });
    new TerraformOutput(this, 'target_role_arn', { value: ddbsync.get('target_role_arn') });
    new TerraformOutput(this, 'dlq_url', { value: ddbsync.get('dlq_url') });
  }
}

const app = new App();
new DdbsyncStack(app, STACK_NAME, app.outdir);
app.synth();

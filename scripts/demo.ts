/**
 * `make demo`: ddbsync's main job, end to end, on a local AWS (moto).
 *
 * 1. Starts moto and applies examples/cross-account to it from a temporary copy of the
 *    module, with an override file pointing the example's providers at moto (the
 *    example itself has no local settings): source table and function in account 123456789012 (us-east-1), replica
 *    table and target-access role in account 222222222222 (eu-west-1), which Terraform
 *    reaches by assuming a role there, as a deployment pipeline would.
 * 2. Reads back what was deployed: the function (handler, runtime, environment, role; its
 *    CodeSha256 must be dist/replicator.zip's) and the stream mapping's settings.
 * 3. Writes, changes and deletes items in the source table in rounds; after each round
 *    the stream is delivered to the deployed zip, run locally with exactly its deployed
 *    environment and its execution role's credentials, with the mapping's batch size,
 *    starting position, retries and on-failure queue; it assumes the target role itself.
 * 4. Checks that the replica equals the source byte for byte, destroys, stops moto.
 *
 * Why the mapping is created disabled: moto's own delivery runs functions in Docker and
 * then discards the stream's records, and moto 5.2.1 does so even for a disabled
 * mapping. The demo's moto launcher (test/support/moto_server.py) makes a disabled
 * mapping deliver nothing, as on AWS, and the demo delivers the records instead.
 *
 * Exits 0 only when everything matched and nothing failed; always stops moto and removes
 * its temporary files, also on Ctrl-C.
 */
import { relative } from 'node:path';
import { deploymentFromOutputs, type Replica } from '../test/support/deployed-replicator.js';
import { applyStack, type ExampleStack, localExampleVars } from '../test/support/example-stack.js';
import { startLocalAws } from '../test/support/local-aws.js';
import { LOCAL_AWS_OVERRIDE_FILE } from '../test/support/local-aws-override.js';
import type { MotoServer } from '../test/support/moto.js';
import {
  deployerRoleArn,
  type ReplicationReport,
  replicaLabel,
  replicateDeployment,
  SOURCE_ACCOUNT,
} from '../test/support/replicate-deployment.js';
import {
  createTerraformWorkspace,
  REPO_ROOT,
  type TerraformWorkspace,
} from '../test/support/terraform-workspace.js';

const EXAMPLE = 'cross-account';
const TARGET_ACCOUNT = '222222222222';
const started = Date.now();

const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line = '') => console.log(line);
const step = (n: number, text: string) => say(`[${n}/6 ${elapsed()}] ${text}`);

let moto: MotoServer | undefined;
let workspace: TerraformWorkspace | undefined;
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await moto?.stop().catch((err: Error) => console.error(`stopping moto: ${err.message}`));
    await workspace
      ?.remove()
      .catch((err: Error) => console.error(`removing ${workspace?.root}: ${err.message}`));
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping moto and removing the temporary workspace`);
    void cleanup().finally(() => process.exit(130));
  });
}

function printComparison(report: ReplicationReport, replicas: readonly Replica[]): void {
  for (const [i, d] of report.differences.entries()) {
    const label = replicas[i] ? replicaLabel(replicas[i]) : `replica ${i + 1}`;
    if (d === undefined) {
      say(`      ${label}: equal to the source, ${report.sourceItems} items, every attribute byte for byte`);
    } else {
      say(`      ${label}: DIFFERS: ${d.missing} source items missing or different, ${d.extra} unexpected`);
      if (d.example) say(`        e.g. ${d.example}`);
    }
  }
}

async function main(): Promise<void> {
  say('ddbsync demo: a DynamoDB table replicated to another account and region, on a local AWS (moto)');
  say();
  moto = await startLocalAws();
  step(1, `moto listening at ${moto.endpoint}`);
  say(
    '      moto delivers stream records itself only through Docker, then discards them, and moto 5.2.1 does so',
  );
  say(
    '      even for a disabled mapping; its launcher (test/support/moto_server.py) makes a disabled mapping inert,',
  );
  say(
    '      as on AWS. Terraform creates the mapping disabled, and this demo delivers the records with its settings.',
  );

  workspace = await createTerraformWorkspace('ddbsync-demo-');
  const dir = workspace.example(EXAMPLE);
  step(2, `terraform init + apply examples/${EXAMPLE} in ${workspace.root}`);
  say(
    `      source account ${SOURCE_ACCOUNT} (plain credentials); target account ${TARGET_ACCOUNT} via ${deployerRoleArn(TARGET_ACCOUNT)}`,
  );
  say(`      the example's providers reach moto through the generated ${LOCAL_AWS_OVERRIDE_FILE}`);
  const stack: ExampleStack = await applyStack(dir, {
    endpoint: moto.endpoint,
    vars: localExampleVars({
      accountId: TARGET_ACCOUNT,
      roleArn: deployerRoleArn(TARGET_ACCOUNT),
    }),
  });
  const deployment = deploymentFromOutputs(stack.outputs);
  say(
    `      applied: function ${deployment.functionName}, source ${deployment.sourceTableName} (${deployment.sourceRegion})`,
  );
  for (const r of deployment.replicas) say(`      replica ${replicaLabel(r)}`);

  let report: ReplicationReport;
  try {
    report = await replicateDeployment({
      endpoint: moto.endpoint,
      deployment,
      zipPath: `${workspace.root}/dist/replicator.zip`,
      onStarted: (rep) => {
        const f = rep.function;
        const s = rep.settings;
        step(
          3,
          `deployed function read back from the Lambda API: ${f.Runtime}, ${f.Handler}, ${f.Timeout}s, ${f.MemorySize} MB`,
        );
        say(
          `      CodeSha256 ${f.CodeSha256} = sha256 of ${relative(process.cwd(), `${REPO_ROOT}/dist/replicator.zip`)}`,
        );
        say(`      runs as its execution role ${f.Role} (AssumeRole, as Lambda does)`);
        for (const [k, v] of Object.entries(rep.environment).sort()) say(`      env ${k}=${v}`);
        say(
          `      stream mapping ${rep.mapping.UUID} (${rep.mapping.State}; its records are delivered here):`,
        );
        say(
          `        batch size ${s.batchSize}, ${s.startingPosition}, retries ${s.maximumRetryAttempts}, ` +
            `bisect ${s.bisectBatchOnFunctionError ? 'on' : 'off'}, max record age ${s.maximumRecordAgeInSeconds}s, ` +
            `ReportBatchItemFailures ${s.reportBatchItemFailures ? 'on' : 'off'}`,
        );
        say(`        on failure -> ${s.onFailureDestination ?? '(none)'}`);
        step(4, 'changing the source table in rounds; after each, the stream is delivered to the function');
      },
      onRound: (r, i) => {
        const replicas = r.replicaItems.map((n) => `${n}`).join(', ');
        say(
          `      round ${i + 1}: ${r.title} (${r.changes} writes) -> ${r.drain.records} records in ${r.drain.invocations} ` +
            `batch(es), ${r.drain.retries} retries, ${r.reportedFailures} records reported failed, ` +
            `${r.functionErrors} function errors, ${r.drain.sentToDlq} to the DLQ; items: source ${r.sourceItems}, replica ${replicas}`,
        );
      },
    });
  } catch (err) {
    await stack.destroy().catch(() => undefined);
    throw err;
  }
  step(5, 'comparing every replica with the source');
  printComparison(report, deployment.replicas);

  step(6, 'terraform destroy');
  await stack.destroy();

  say();
  if (report.ok) {
    const records = report.rounds.reduce((n, r) => n + r.drain.records, 0);
    const batches = report.rounds.reduce((n, r) => n + r.drain.invocations, 0);
    say(
      `OK: ${records} stream records in ${batches} batches replicated ${deployment.sourceTableName} ` +
        `(${SOURCE_ACCOUNT}, ${deployment.sourceRegion}) to ${deployment.replicas.map(replicaLabel).join(', ')}; ` +
        `replica equal to source (${report.sourceItems} items); destroyed; ${elapsed()}`,
    );
  } else {
    say('FAILED: see the rounds and the comparison above');
    process.exitCode = 1;
  }
}

main()
  .catch((err: unknown) => {
    console.error(`\ndemo FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());

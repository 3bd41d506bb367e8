import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { Command } from 'commander';
import { sessionName } from '#core';
import { awsContext } from '../aws-context.js';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { integerIn } from '../option-parsers.js';
import { replicatorStatus } from '../status.js';
import { formatStatus } from '../status-view.js';
import { type ExitSink, globals } from './shared.js';

interface StatusFlags {
  function: string;
  roleArn?: string;
  externalId?: string;
  window: number;
  canaryFunction?: string;
  driftFunction?: string;
  driftWindow: number;
  json?: boolean;
}

export function statusCommand(io: CliIo, exit: ExitSink): Command {
  return new Command('status')
    .description(
      'Show a deployed replicator on one screen: its stream mapping (state, last result, settings), ' +
        'the dead-letter queue depth, iterator age, errors and throttles from CloudWatch, its targets, ' +
        "and per target the lag canary's last latency and misses and the last drift check's result.",
    )
    .requiredOption(
      '--function <name>',
      'the replicator function: name or ARN (Terraform output function_name)',
    )
    .option(
      '--role-arn <arn>',
      "role to assume to read the function's account (default: your own credentials)",
    )
    .option('--external-id <id>', 'external id for --role-arn')
    .option('--window <minutes>', 'how far back the CloudWatch figures go', integerIn(1, 1440), 60)
    .option(
      '--canary-function <name>',
      'the lag canary function (default: <function>-canary); found means enabled, so no data needs attention',
    )
    .option('--drift-function <name>', 'the drift check function (default: <function>-drift)')
    .option(
      '--drift-window <minutes>',
      'how far back to look for the last drift run (it runs hourly by default)',
      integerIn(1, 20160),
      1440,
    )
    .option('--json', 'print the status as JSON instead of text')
    .addHelpText(
      'after',
      `
Examples:
  ddbsync status --function orders-replicator --region us-east-1
  ddbsync status --function orders-replicator --window 15 --json
  ddbsync status --function orders-replicator --role-arn arn:aws:iam::123456789012:role/ops-read --external-id ops
  ddbsync status --function orders-replicator --canary-function orders-lag-canary \\
    --drift-function orders-drift-check --drift-window 180

Exit codes: 0 all well, 1 something needs attention (listed: a disabled mapping, failed batches
in the dead-letter queue, errors, a growing iterator age, a missed heartbeat, drifted items, or no
data from a deployed canary or drift check), 2 error.`,
    )
    .action(async (flags: StatusFlags, cmd: Command) => {
      const ctx = awsContext(globals(cmd), io, 'status');
      const credentials = flags.roleArn
        ? fromTemporaryCredentials({
            params: {
              RoleArn: flags.roleArn,
              RoleSessionName: sessionName('ddbsync', 'status'),
              ...(flags.externalId ? { ExternalId: flags.externalId } : {}),
            },
            clientConfig: { region: ctx.region },
          })
        : undefined;
      const status = await replicatorStatus({
        functionName: flags.function,
        region: ctx.region,
        windowMinutes: flags.window,
        driftWindowMinutes: flags.driftWindow,
        ...(flags.canaryFunction ? { canaryFunction: flags.canaryFunction } : {}),
        ...(flags.driftFunction ? { driftFunction: flags.driftFunction } : {}),
        ...(credentials ? { credentials } : {}),
      });
      io.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      if (status.attention.length > 0) exit(EXIT.differences);
    });
}

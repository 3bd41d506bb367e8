import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Command, InvalidArgumentError } from 'commander';
import { createTargetWriters, MalformedRecordError } from '#core';
import { awsContext } from '../aws-context.js';
import { NotAStreamFailureRecord, parseOnFailureRecord, streamRegion } from '../dlq-message.js';
import { EXIT, ResourceError, UsageError } from '../errors.js';
import { compileFilterCriteria, FilterPatternError, type RecordFilter } from '../event-filter.js';
import type { CliIo } from '../io.js';
import { integerIn, nameList, positiveNumber } from '../option-parsers.js';
import { RangeUnreadableError, redriveBatch } from '../redrive.js';
import { readTargets } from '../targets-input.js';
import { type ExitSink, globals } from './shared.js';

interface RedriveFlags {
  queueUrl: string;
  targets?: string;
  targetsFile?: string;
  excludeAttributes?: Set<string>;
  skipTtlDeletes?: boolean;
  maxMessages: number;
  writeTimeout: number;
  filterPatterns?: RecordFilter;
}

/** --filter-patterns: a JSON list of the mapping's filter pattern strings (the module's filter_patterns). */
function filterPatterns(value: string): RecordFilter {
  let patterns: unknown;
  try {
    patterns = JSON.parse(value);
  } catch {
    patterns = undefined;
  }
  if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string')) {
    throw new InvalidArgumentError(
      'must be a JSON list of pattern strings, like \'["{\\"eventName\\":[\\"INSERT\\",\\"MODIFY\\"]}"]\'',
    );
  }
  try {
    return compileFilterCriteria(patterns);
  } catch (err) {
    if (err instanceof FilterPatternError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

export function redriveCommand(io: CliIo, exit: ExitSink): Command {
  return new Command('redrive')
    .description(
      'Apply again the batches the event source mapping gave up on: for each on-failure record in the ' +
        'dead-letter queue, re-read its range of the stream, write it to the targets, then delete the message.',
    )
    .requiredOption(
      '--queue-url <url>',
      "the replicator's dead-letter (on-failure) SQS queue: its URL, or its ARN as `ddbsync status` shows it",
    )
    .option('--targets <json>', "the function's REPLICATION_TARGETS JSON")
    .option(
      '--targets-file <file>',
      'a file holding it, or `terraform output -json replication_targets_json`',
    )
    .option('--exclude-attributes <names>', "the function's EXCLUDE_ATTRIBUTES, comma-separated", nameList)
    .option('--skip-ttl-deletes', "the function's SKIP_TTL_DELETES=true: do not apply deletes made by TTL")
    .option(
      '--filter-patterns <json>',
      "the mapping's filter patterns (the module's filter_patterns) as a JSON list: records they drop are not applied",
      filterPatterns,
    )
    .option('--max-messages <n>', 'redrive at most this many messages', integerIn(1, 100_000), 1000)
    .option('--write-timeout <seconds>', 'how long the writes of one batch may retry', positiveNumber, 120)
    .addHelpText(
      'after',
      `
Examples:
  terraform output -json replication_targets_json > targets.json
  ddbsync redrive --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/orders-replicator-dlq --targets-file targets.json
  ddbsync redrive --queue-url arn:aws:sqs:eu-west-1:123456789012:orders-replicator-dlq \
    --targets '[{"tableName":"orders","region":"us-east-1","roleArn":"arn:aws:iam::222222222222:role/orders-writer"}]' \
    --exclude-attributes ssn,email --skip-ttl-deletes --max-messages 10 --write-timeout 60

Each batch is applied with the later changes to the same items that the stream holds, so an
item ends in its newest state (a redrive never rolls an item back to the failed batch's value).
With the module's filter_patterns set, give them as --filter-patterns: the reported range can hold
records the mapping filtered out, and those are not applied either.

A batch older than the stream's 24-hour retention cannot be re-read: the message is kept and
\`ddbsync verify --repair\` brings the targets in line instead.
Exit codes: 0 every message redriven (or none waiting), 1 some messages kept, 2 error.`,
    )
    .action(async (flags: RedriveFlags, cmd: Command) => {
      const ctx = awsContext(globals(cmd), io, 'redrive');
      const targets = readTargets(flags.targets, flags.targetsFile, ctx.region);
      const writers = createTargetWriters(targets, ctx.clientOptions);
      const config = {
        excludeAttributes: flags.excludeAttributes ?? new Set<string>(),
        skipTtlDeletes: flags.skipTtlDeletes === true,
        maxConcurrency: 8,
      };
      const sqs = new SQSClient({ region: queueRegion(flags.queueUrl) ?? ctx.region });
      const queueUrl = await resolveQueueUrl(sqs, flags.queueUrl);
      const streamClients = new Map<string, DynamoDBStreamsClient>();
      const kept: Message[] = [];
      let redriven = 0;
      let handled = 0;
      try {
        while (handled < flags.maxMessages) {
          const out = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: Math.min(10, flags.maxMessages - handled),
              WaitTimeSeconds: 1,
              // Hidden from other consumers for as long as the ten may take, so none is
              // handled twice and every receipt handle is still valid at delete time.
              VisibilityTimeout: Math.min(43_200, Math.ceil(10 * (flags.writeTimeout + 60))),
            }),
          );
          const messages = out.Messages ?? [];
          if (messages.length === 0) break;
          for (const message of messages) {
            handled++;
            const label = `message ${message.MessageId}`;
            let info: ReturnType<typeof parseOnFailureRecord>;
            try {
              info = parseOnFailureRecord(message.Body);
            } catch (err) {
              if (!(err instanceof NotAStreamFailureRecord)) throw err;
              io.stderr.write(`${label}: kept: ${err.message}\n`);
              kept.push(message);
              continue;
            }
            const range = `${info.shardId} ${info.startSequenceNumber}..${info.endSequenceNumber}`;
            const region = streamRegion(info.streamArn);
            let streams = streamClients.get(region);
            if (!streams) {
              streams = new DynamoDBStreamsClient({ region, maxAttempts: 3 });
              streamClients.set(region, streams);
            }
            try {
              const result = await redriveBatch(
                streams,
                info,
                config,
                writers,
                flags.writeTimeout * 1000,
                flags.filterPatterns,
              );
              if (result.failures.length > 0) {
                io.stderr.write(`${label} (${range}): kept: ${result.failures.join('; ')}\n`);
                kept.push(message);
                continue;
              }
              await sqs.send(
                new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
              );
              redriven++;
              io.stdout.write(
                `${label} (${range}): redriven: ${result.records} records` +
                  `${result.filteredOut > 0 ? ` (${result.filteredOut} filtered out by --filter-patterns)` : ''}` +
                  `${result.newerChanges > 0 ? ` (+${result.newerChanges} later changes to the same items, so the newest state wins)` : ''}` +
                  `, ${result.itemsPut} puts, ${result.itemsDeleted} deletes; message deleted\n`,
              );
            } catch (err) {
              if (err instanceof MalformedRecordError) {
                // One unreadable record (e.g. an attribute the SDK cannot deserialize) keeps this
                // message for a person to look at; the other messages are still redriven.
                io.stderr.write(`${label} (${range}): kept: ${err.message}\n`);
                kept.push(message);
                continue;
              }
              if (!(err instanceof RangeUnreadableError)) throw err;
              io.stderr.write(
                `${label} (${range}): kept: these records are no longer in the stream (${err.message}). ` +
                  'A stream keeps records for 24 hours, so this batch cannot be replayed; run ' +
                  '`ddbsync verify --source-table <table> --targets-file <targets> --repair` to bring the targets in line, ' +
                  'then delete the message.\n',
              );
              kept.push(message);
            }
          }
        }
      } finally {
        // Kept messages become visible again at once, for the next run and the DLQ depth.
        for (const m of kept) {
          await sqs
            .send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: queueUrl,
                ReceiptHandle: m.ReceiptHandle,
                VisibilityTimeout: 0,
              }),
            )
            .catch(() => undefined);
        }
      }
      io.stdout.write(`redrive: ${redriven} redriven, ${kept.length} kept in the queue\n`);
      if (kept.length > 0) exit(EXIT.differences);
    });
}

/** The region in a queue URL (sqs.REGION.amazonaws.com) or ARN; undefined for a local endpoint. */
function queueRegion(queue: string): string | undefined {
  if (queue.startsWith('arn:')) return queue.split(':')[3] || undefined;
  return /sqs[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(queue)?.[1];
}

async function resolveQueueUrl(sqs: SQSClient, queue: string): Promise<string> {
  if (!queue.startsWith('arn:')) return queue;
  const [, , service, , account, name] = queue.split(':');
  if (service !== 'sqs' || !account || !name)
    throw new UsageError(`--queue-url: "${queue}" is not an SQS queue ARN`);
  try {
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
    return out.QueueUrl as string;
  } catch (err) {
    if ((err as Error).name.includes('NonExistentQueue') || (err as Error).name === 'QueueDoesNotExist') {
      throw new ResourceError(`dead-letter queue ${queue} does not exist`, { cause: err });
    }
    throw err;
  }
}

/**
 * The first-sync verifier's Lambda entry point (handler "verifier.handler",
 * dist/first-sync.zip): compares the source's export with every target by key, reaching
 * the targets through the same clients and assumed roles as the loader, and repairing
 * through the replicator's writer when asked. Settings are read once, at cold start.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { coldStart } from './cold-start.js';
import { keySchemaSource } from './first-sync/key-schema.js';
import { parseVerifierConfig } from './first-sync/verify-config.js';
import { createVerifierHandler } from './first-sync/verify-handler.js';
import { s3ReportStore } from './first-sync/verify-report.js';
import { createTargetClients } from './target-clients.js';
import { dynamoDbTargetWriter } from './target-writer.js';

const { config, logger, metrics, clientOptions } = coldStart(parseVerifierConfig);

const clients = createTargetClients(config.targets, clientOptions);
// The source is read with the function's own credentials, in the function's region (or the table ARN's).
const sourceRegion = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):/.exec(config.sourceTable)?.[1];
const source = new DynamoDBClient(sourceRegion ? { region: sourceRegion } : {});
// The export bucket may be in another region than the function; S3 says which.
const s3 = new S3Client({ followRegionRedirects: true });

export const handler = createVerifierHandler({
  config,
  source,
  targets: config.targets.map((t, i) => {
    const client = clients[i] as (typeof clients)[number];
    return { config: t, client, writer: dynamoDbTargetWriter(t, client) };
  }),
  s3,
  reports: (bucket) => s3ReportStore(s3, bucket),
  keyNames: keySchemaSource(config.keyAttributes, config.excludeAttributes, {
    id: `source ${config.sourceTable}`,
    tableName: config.sourceTable,
    client: source,
  }),
  logger,
  metrics,
});

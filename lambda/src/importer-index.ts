/**
 * The first-sync importer's Lambda entry point (handler "importer.handler",
 * dist/first-sync.zip): starts ImportTable per target and reports on the imports, reaching
 * each target through the same assumed roles as the loader. Configuration is read and
 * checked once, at cold start: a bad setting fails the init with a message naming it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { coldStart } from './cold-start.js';
import { parseImporterConfig } from './first-sync/import-config.js';
import { createImporterHandler } from './first-sync/import-handler.js';
import { createTargetClients } from './target-clients.js';

const { config, logger, metrics, clientOptions } = coldStart(parseImporterConfig);

export const handler = createImporterHandler({
  config,
  clients: createTargetClients(config.targets, clientOptions),
  // The source table is in the function's own account and region.
  source: new DynamoDBClient({}),
  // The export bucket may be in another region than the function; S3 says which.
  s3: new S3Client({ followRegionRedirects: true }),
  logger,
  metrics,
});

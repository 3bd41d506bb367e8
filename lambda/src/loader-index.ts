/**
 * The first-sync loader's Lambda entry point (handler "loader.handler", dist/first-sync.zip),
 * writing through the same target clients, assumed roles and batch
 * writer. Configuration is read and checked once, at cold start: a bad setting fails the
 * init with a message naming it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { coldStart } from './cold-start.js';
import { targetId } from './config.js';
import { keySchemaSource } from './first-sync/key-schema.js';
import { parseLoaderConfig } from './first-sync/loader-config.js';
import { createLoaderHandler } from './first-sync/loader-handler.js';
import { createTargetClients } from './target-clients.js';
import { dynamoDbTargetWriter } from './target-writer.js';

const { config, logger, metrics, clientOptions } = coldStart(parseLoaderConfig);

const clients = createTargetClients(config.targets, clientOptions);
const writers = config.targets.map((t, i) => dynamoDbTargetWriter(t, clients[i] as (typeof clients)[number]));
const first = config.targets[0] as (typeof config.targets)[number];

export const handler = createLoaderHandler({
  config,
  writers,
  // The export bucket may be in another region than the function; S3 says which.
  s3: new S3Client({ followRegionRedirects: true }),
  keyNames: keySchemaSource(config.keyAttributes, config.excludeAttributes, {
    id: targetId(first),
    tableName: first.tableName,
    client: clients[0] as (typeof clients)[number],
  }),
  logger,
  metrics,
});

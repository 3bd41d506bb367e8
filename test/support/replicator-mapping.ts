/**
 * The event source mapping the Terraform module gives the replicator (its default settings),
 * reading a table's stream on moto: what the health-function tests put between the source
 * table and a locally running replicator so changes reach the targets as they would deployed.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { type InvokeFunction, LocalEventSourceMapping } from './event-source-mapping.js';
import { MOTO_CREDENTIALS } from './fixtures.js';
import type { MotoServer } from './moto.js';

export interface ReplicatorMappingOptions {
  moto: MotoServer;
  region: string;
  streamArn: string;
  functionArn: string;
  invoke: InvokeFunction;
}

/** Not started: the caller starts it when the replicator is ready. */
export function replicatorMapping(o: ReplicatorMappingOptions): LocalEventSourceMapping {
  return new LocalEventSourceMapping({
    settings: {
      streamArn: o.streamArn,
      functionArn: o.functionArn,
      batchSize: 100,
      startingPosition: 'LATEST',
      maximumRetryAttempts: 2,
      bisectBatchOnFunctionError: false,
      maximumRecordAgeInSeconds: -1,
      reportBatchItemFailures: true,
    },
    streams: new DynamoDBStreamsClient({
      endpoint: o.moto.endpoint,
      region: o.region,
      credentials: MOTO_CREDENTIALS,
    }),
    invoke: o.invoke,
  });
}

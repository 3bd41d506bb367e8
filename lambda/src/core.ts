/**
 * The replication core's public surface: what the CLI, the test support and the benchmark
 * share with the function, imported by name as `#core` (package.json "imports"). The
 * function's own modules import each other directly; everything outside lambda/ goes
 * through here, so this file lists what the rest of the repository may rely on.
 */
export {
  type EventAttributeValue,
  type EventImage,
  type Item,
  itemSize,
  toSdkItem,
  toSdkValue,
} from './attribute-values.js';
export { backoffDelay, sleep } from './backoff.js';
export {
  type BatchWriteOptions,
  type BatchWriteResult,
  type WireWriteRequest,
  type WriteEntry,
  writeBatches,
  writeEntry,
} from './batch-writer.js';
export { parseConfig, parseTargets, type ReplicatorConfig, type TargetConfig, targetId } from './config.js';
export {
  awsRequestId,
  ConfigError,
  DdbsyncError,
  innermostCause,
  MalformedRecordError,
  StreamConfigError,
  TargetWriteError,
} from './errors.js';
export { IMPORT_LIMITS } from './first-sync/import-limits.js';
export {
  HEARTBEAT_AT,
  HEARTBEAT_ID,
  HEARTBEAT_PREFIX,
  isHeartbeatKey,
  parseHeartbeatKey,
} from './heartbeat.js';
export { canonicalValue, differingAttributes, withoutAttributes } from './item-equality.js';
export { eventKeyString, keyString, pickKey } from './item-keys.js';
export { toEventImage, toEventValue, toLambdaRecord } from './lambda-event.js';
export { HEALTH_METRIC, METRIC, TARGET_DIMENSION } from './observability.js';
export { planBatch } from './plan.js';
export { type BatchOutcome, replicateBatch, type WriteTiming } from './replicate.js';
export { compareSequenceNumbers, isSequenceNumber, lowestSequenceNumber } from './sequence-numbers.js';
export type { BatchResponse, StreamEvent, StreamRecord } from './stream-records.js';
export { type ScanPage, TableReader, type TableReaderOptions } from './table-reader.js';
export {
  type ClientOptions,
  createTargetClient,
  createTargetClients,
  sessionName,
} from './target-clients.js';
export { accountOfArn, targetLabel } from './target-label.js';
export { createTargetWriters, dynamoDbTargetWriter, type TargetWriter } from './target-writer.js';
export { TokenBucket } from './token-bucket.js';

import type {
  GlobalSecondaryIndex,
  OnDemandThroughput,
  ProvisionedThroughput,
  TableCreationParameters,
  TableDescription,
} from '@aws-sdk/client-dynamodb';
import { ImportLimitExceededError } from './errors.js';

/**
 * The table ImportTable creates for a target, from the source's DescribeTable: its key
 * schema, the attribute definitions the keys and indexes use, its billing mode and
 * throughput, and its global secondary indexes with their projections.
 *
 * What TableCreationParameters cannot carry (see the ImportTable API reference), the
 * target table lacks until it is set after the import: local secondary indexes (they exist
 * only when a table is created, so a target cannot get them later: refused here), the
 * table class, TTL, point-in-time recovery, deletion protection, streams, tags, resource
 * policies. Encryption: a customer managed KMS key belongs to the source's account and
 * region, and the target's role may not use it, so only the type is copied (KMS: DynamoDB's
 * AWS managed key in the target's account); set the target's own key afterwards.
 */
export function tableCreationParameters(
  source: TableDescription,
  tableName: string,
): TableCreationParameters {
  const lsis = source.LocalSecondaryIndexes ?? [];
  if (lsis.length > 0) {
    throw new ImportLimitExceededError(
      'ImportTable cannot create local secondary indexes, and a table cannot get them after it is created',
      `the source has ${lsis.length} (${lsis.map((i) => i.IndexName).join(', ')}); create the target with them yourself`,
    );
  }
  const keySchema = source.KeySchema ?? [];
  if (keySchema.length === 0) throw new Error('DescribeTable of the source gave no KeySchema');
  const provisioned = (source.BillingModeSummary?.BillingMode ?? 'PROVISIONED') === 'PROVISIONED';
  const gsis = (source.GlobalSecondaryIndexes ?? []).map((g): GlobalSecondaryIndex => {
    const throughput = provisioned ? provisionedOf(g.ProvisionedThroughput) : undefined;
    const onDemand = provisioned ? undefined : onDemandOf(g.OnDemandThroughput);
    return {
      IndexName: g.IndexName,
      KeySchema: g.KeySchema,
      Projection: {
        ProjectionType: g.Projection?.ProjectionType ?? 'ALL',
        ...(g.Projection?.NonKeyAttributes?.length
          ? { NonKeyAttributes: g.Projection.NonKeyAttributes }
          : {}),
      },
      ...(throughput ? { ProvisionedThroughput: throughput } : {}),
      ...(onDemand ? { OnDemandThroughput: onDemand } : {}),
    };
  });
  const used = new Set(
    [...keySchema, ...gsis.flatMap((g) => g.KeySchema ?? [])].map((k) => k.AttributeName as string),
  );
  const throughput = provisioned ? provisionedOf(source.ProvisionedThroughput) : undefined;
  const onDemand = provisioned ? undefined : onDemandOf(source.OnDemandThroughput);
  const kms = source.SSEDescription?.SSEType === 'KMS' && source.SSEDescription.Status !== 'DISABLED';
  return {
    TableName: tableName,
    KeySchema: keySchema,
    AttributeDefinitions: (source.AttributeDefinitions ?? []).filter((a) =>
      used.has(a.AttributeName as string),
    ),
    BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
    ...(throughput ? { ProvisionedThroughput: throughput } : {}),
    ...(onDemand ? { OnDemandThroughput: onDemand } : {}),
    ...(gsis.length > 0 ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(kms ? { SSESpecification: { Enabled: true, SSEType: 'KMS' } } : {}),
  };
}

function provisionedOf(t: { ReadCapacityUnits?: number; WriteCapacityUnits?: number } | undefined) {
  if (!t?.ReadCapacityUnits || !t.WriteCapacityUnits) return undefined;
  return {
    ReadCapacityUnits: t.ReadCapacityUnits,
    WriteCapacityUnits: t.WriteCapacityUnits,
  } satisfies ProvisionedThroughput;
}

/** An on-demand maximum, when one is set (DescribeTable reports -1 or nothing when not). */
function onDemandOf(t: OnDemandThroughput | undefined): OnDemandThroughput | undefined {
  const out: OnDemandThroughput = {};
  if (t?.MaxReadRequestUnits !== undefined && t.MaxReadRequestUnits > 0)
    out.MaxReadRequestUnits = t.MaxReadRequestUnits;
  if (t?.MaxWriteRequestUnits !== undefined && t.MaxWriteRequestUnits > 0)
    out.MaxWriteRequestUnits = t.MaxWriteRequestUnits;
  return Object.keys(out).length > 0 ? out : undefined;
}

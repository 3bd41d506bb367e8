/** The one screen `ddbsync status` prints: every fact in words, the problems last. */
import { describe, expect, it } from 'vitest';
import type { MappingStatus, ReplicatorStatus } from '../../../cli/src/status.js';
import { formatStatus } from '../../../cli/src/status-view.js';

const STREAM = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000';
const DLQ = 'arn:aws:sqs:us-east-1:123456789012:orders-replicator-dlq';

const mapping = (overrides: Partial<MappingStatus> = {}): MappingStatus => ({
  uuid: 'a1b2c3d4',
  eventSourceArn: STREAM,
  state: 'Enabled',
  lastProcessingResult: 'OK',
  batchSize: 100,
  startingPosition: 'TRIM_HORIZON',
  maximumRetryAttempts: 5,
  bisectBatchOnFunctionError: true,
  reportBatchItemFailures: true,
  onFailureDestination: DLQ,
  deadLetterQueue: { messages: 0, inFlight: 0 },
  ...overrides,
});

function status(overrides: Partial<ReplicatorStatus> = {}): ReplicatorStatus {
  return {
    function: {
      name: 'orders-replicator',
      region: 'us-east-1',
      runtime: 'nodejs22.x',
      state: 'Active',
      lastUpdateStatus: 'Successful',
      lastModified: '2024-01-01T00:00:00.000+0000',
      targets: ['orders@eu-west-1', 'orders@us-west-2'],
    },
    mappings: [mapping()],
    metrics: {
      windowMinutes: 60,
      iteratorAgeMaxMs: 850,
      invocations: 120,
      errors: 0,
      throttles: 0,
      failedRecords: 0,
      replicationLatencyMaxMs: 90_000,
    },
    // No canary or drift function deployed next to this replicator.
    health: {
      canary: { function: 'orders-replicator-canary', deployed: false, windowMinutes: 60, targets: [] },
      drift: { function: 'orders-replicator-drift', deployed: false, lookbackMinutes: 1440, targets: [] },
    },
    attention: [],
    ...overrides,
  };
}

const lines = (s: ReplicatorStatus) => formatStatus(s).split('\n');

describe('formatStatus', () => {
  it('prints a healthy replicator on one screen, ending with OK', () => {
    expect(formatStatus(status())).toBe(
      [
        'replicator orders-replicator (us-east-1)',
        '  function     nodejs22.x, Active, update Successful; last modified 2024-01-01T00:00:00.000+0000',
        '  targets      orders@eu-west-1, orders@us-west-2',
        `  mapping      a1b2c3d4: Enabled, last result OK`,
        `    stream     ${STREAM}`,
        '    settings   batch size 100, starting position TRIM_HORIZON, retries 5, bisect on, partial batch responses on',
        `    on failure ${DLQ}: 0 messages waiting, 0 in flight`,
        '  last 60 min  iterator age max 850 ms, 120 invocations, 0 errors, 0 throttles, 0 failed records, replication latency max 90.0 s',
        '  canary       not deployed (no function orders-replicator-canary)',
        '  drift check  not deployed (no function orders-replicator-drift)',
        'status: OK',
        '',
      ].join('\n'),
    );
  });

  it('leaves out function facts it does not have, and says when there are no targets', () => {
    const out = formatStatus({ ...status(), function: { name: 'f', region: 'eu-west-1', targets: [] } });
    expect(out).toContain('replicator f (eu-west-1)\n');
    expect(out).toContain('  targets      (none)\n');
    expect(out).not.toMatch(/undefined|last modified/);
  });

  it('says why the targets could not be read', () => {
    const s = status();
    const out = formatStatus({ ...s, function: { ...s.function, targets: [], targetsProblem: 'not JSON' } });
    expect(out).toContain('  targets      unreadable: not JSON\n');
  });

  it('says when there is no mapping', () => {
    expect(lines(status({ mappings: [] }))).toContain('  mapping      none');
  });

  it('shows a mapping’s state reason, and the API defaults for settings it leaves out', () => {
    const out = lines(
      status({
        mappings: [
          {
            uuid: 'u2',
            state: 'Disabled',
            stateTransitionReason: 'USER_INITIATED',
            reportBatchItemFailures: false,
          },
        ],
      }),
    );
    expect(out).toContain('  mapping      u2: Disabled, last result (none) (USER_INITIATED)');
    expect(out).toContain('    stream     ?');
    expect(out).toContain(
      '    settings   batch size ?, starting position ?, retries default, bisect off, partial batch responses off',
    );
    expect(out).toContain('    on failure none (failed batches are dropped)');
  });

  it('counts the dead-letter queue in words, one message or many, or says why it cannot', () => {
    const onFailure = (m: MappingStatus) =>
      lines(status({ mappings: [m] })).find((l) => l.includes('on failure'));
    expect(onFailure(mapping({ deadLetterQueue: { messages: 1, inFlight: 2 } }))).toBe(
      `    on failure ${DLQ}: 1 message waiting, 2 in flight`,
    );
    expect(onFailure(mapping({ deadLetterQueue: { messages: 12, inFlight: 0 } }))).toBe(
      `    on failure ${DLQ}: 12 messages waiting, 0 in flight`,
    );
    expect(
      onFailure(mapping({ deadLetterQueue: { problem: 'AccessDenied: no sqs:GetQueueAttributes' } })),
    ).toBe(`    on failure ${DLQ}: AccessDenied: no sqs:GetQueueAttributes`);
    const sns = 'arn:aws:sns:us-east-1:123456789012:alerts';
    const { deadLetterQueue: _, ...withoutQueue } = mapping({ onFailureDestination: sns });
    expect(onFailure(withoutQueue)).toBe(`    on failure ${sns}`);
  });

  it('prints durations in a readable unit and "no data" when CloudWatch has none', () => {
    const metricsLine = (m: Partial<ReplicatorStatus['metrics']>) =>
      lines(status({ metrics: { ...status().metrics, ...m } })).find((l) => l.startsWith('  last '));
    expect(metricsLine({ iteratorAgeMaxMs: 5 * 60_000, replicationLatencyMaxMs: 3 * 3_600_000 })).toContain(
      'iterator age max 5.0 min,',
    );
    expect(metricsLine({ replicationLatencyMaxMs: 3 * 3_600_000 })).toContain(
      'replication latency max 3.0 h',
    );
    const { iteratorAgeMaxMs: _a, replicationLatencyMaxMs: _l, ...noData } = status().metrics;
    const line = lines(status({ metrics: { ...noData, windowMinutes: 15 } })).find((l) =>
      l.startsWith('  last '),
    );
    expect(line).toBe(
      '  last 15 min  iterator age max no data, 120 invocations, 0 errors, 0 throttles, 0 failed records, replication latency max no data',
    );
  });

  it('says why the metrics are unavailable instead of printing figures', () => {
    const out = lines(
      status({ metrics: { windowMinutes: 60, problem: 'AccessDenied: cloudwatch:GetMetricData' } }),
    );
    expect(out).toContain('  metrics      unavailable: AccessDenied: cloudwatch:GetMetricData');
    expect(out.some((l) => l.startsWith('  last '))).toBe(false);
  });

  it('ends with what needs attention, one item per line, instead of OK', () => {
    const out = lines(
      status({ attention: ['mapping u is Disabled', '3 failed batches in the dead-letter queue'] }),
    );
    expect(out.slice(-4)).toEqual([
      'attention:',
      '  - mapping u is Disabled',
      '  - 3 failed batches in the dead-letter queue',
      '',
    ]);
    expect(out).not.toContain('status: OK');
  });
});

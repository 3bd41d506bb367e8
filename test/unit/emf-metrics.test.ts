/**
 * test/support/emf-metrics.ts against the embedded metric format specification: documents
 * as Powertools writes them (serialized by the library itself, not written by hand here),
 * several dimension sets, value arrays, Lambda's metadata prefix, and each MUST whose
 * breach makes CloudWatch extract nothing.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { extractEmf } from '../support/emf-metrics.js';

const AT = 1_767_225_600_000; // 2026-01-01T00:00:00Z

function doc(overrides: Record<string, unknown> = {}, aws: Record<string, unknown> = {}): string {
  return JSON.stringify({
    _aws: {
      Timestamp: AT,
      CloudWatchMetrics: [
        { Namespace: 'ddbsync', Dimensions: [['service']], Metrics: [{ Name: 'ItemsPut', Unit: 'Count' }] },
      ],
      ...aws,
    },
    service: 'orders',
    ItemsPut: 3,
    ...overrides,
  });
}

describe('extractEmf', () => {
  it('reads a Powertools document: namespace, the exact dimension set, unit, value and timestamp', () => {
    const metrics = new Metrics({ namespace: 'ddbsync', serviceName: 'orders' });
    metrics.addDimension('Target', '222222222222/eu-west-1/orders-replica');
    metrics.addMetric('EndToEndLatency', MetricUnit.Milliseconds, 840);
    metrics.addMetric('HeartbeatMissing', MetricUnit.Count, 0);
    const line = JSON.stringify(metrics.serializeMetrics());

    const { metrics: extracted, rejected } = extractEmf([line]);

    expect(rejected).toEqual([]);
    const dims = [
      { Name: 'service', Value: 'orders' },
      { Name: 'Target', Value: '222222222222/eu-west-1/orders-replica' },
    ];
    expect(
      extracted.map((m) => ({
        ...m,
        dimensions: [...m.dimensions].sort((a, b) => a.Name.localeCompare(b.Name)),
      })),
    ).toEqual(
      [
        { name: 'EndToEndLatency', unit: 'Milliseconds', values: [840] },
        { name: 'HeartbeatMissing', unit: 'Count', values: [0] },
      ].map((m) => ({
        namespace: 'ddbsync',
        ...m,
        dimensions: [...dims].sort((a, b) => a.Name.localeCompare(b.Name)),
        timestamp: expect.any(Date),
        storageResolution: 60,
      })),
    );
    const ts = extracted[0]?.timestamp.getTime() ?? 0;
    expect(Math.abs(ts - Date.now())).toBeLessThan(60_000);
  });

  it('creates one metric per dimension set, and keeps value arrays and high resolution', () => {
    const line = doc(
      { Target: 'a/b/c', ItemsPut: [1, 2, 5] },
      {
        CloudWatchMetrics: [
          {
            Namespace: 'ddbsync',
            Dimensions: [['service'], ['service', 'Target'], []],
            Metrics: [{ Name: 'ItemsPut', Unit: 'Count', StorageResolution: 1 }],
          },
        ],
      },
    );
    const { metrics } = extractEmf([line]);
    expect(metrics.map((m) => m.dimensions)).toEqual([
      [{ Name: 'service', Value: 'orders' }],
      [
        { Name: 'service', Value: 'orders' },
        { Name: 'Target', Value: 'a/b/c' },
      ],
      [],
    ]);
    expect(metrics.every((m) => m.values.join() === '1,2,5' && m.storageResolution === 1)).toBe(true);
    expect(metrics[0]?.timestamp).toEqual(new Date(AT));
  });

  it('defaults the unit to None and reads a document after the metadata Lambda prepends', () => {
    const line = `2026-01-01T00:00:00.000Z\t5f1c0e4e-1111-2222-3333-444455556666\tINFO\t${doc(
      {},
      {
        CloudWatchMetrics: [
          { Namespace: 'ddbsync', Dimensions: [['service']], Metrics: [{ Name: 'ItemsPut' }] },
        ],
      },
    )}`;
    const { metrics, rejected } = extractEmf([line]);
    expect(rejected).toEqual([]);
    expect(metrics.map((m) => [m.name, m.unit, m.values])).toEqual([['ItemsPut', 'None', [3]]]);
  });

  it('skips ordinary log lines, JSON or not', () => {
    const { metrics, rejected } = extractEmf([
      'START RequestId: 1 Version: $LATEST',
      JSON.stringify({ level: 'INFO', message: 'batch applied', service: 'orders' }),
      '',
    ]);
    expect(metrics).toEqual([]);
    expect(rejected).toEqual([]);
  });

  it.each([
    ['no timestamp', doc({}, { Timestamp: undefined }), 'Timestamp'],
    [
      'CloudWatchMetrics not an array',
      doc({}, { CloudWatchMetrics: {} }),
      'CloudWatchMetrics must be an array',
    ],
    [
      'an empty namespace',
      doc({}, { CloudWatchMetrics: [{ Namespace: '', Dimensions: [[]], Metrics: [] }] }),
      'Namespace',
    ],
    [
      'no dimension set',
      doc({}, { CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [], Metrics: [] }] }),
      'Dimensions',
    ],
    ['a dimension that is not a member', doc({ service: undefined }), 'dimension target "service"'],
    ['a dimension that is not a string', doc({ service: 7 }), 'dimension target "service"'],
    ['a metric that is not a number', doc({ ItemsPut: '3' }), 'metric target "ItemsPut"'],
    ['a metric that is missing', doc({ ItemsPut: undefined }), 'metric target "ItemsPut"'],
    ['more than 100 values', doc({ ItemsPut: Array.from({ length: 101 }, () => 1) }), 'at most|1-100'],
    [
      'an unknown unit',
      doc(
        {},
        {
          CloudWatchMetrics: [
            { Namespace: 'n', Dimensions: [[]], Metrics: [{ Name: 'ItemsPut', Unit: 'Items' }] },
          ],
        },
      ),
      'not a CloudWatch unit',
    ],
    [
      'more than 100 metric definitions',
      doc(
        {},
        {
          CloudWatchMetrics: [
            {
              Namespace: 'n',
              Dimensions: [[]],
              Metrics: Array.from({ length: 101 }, () => ({ Name: 'ItemsPut' })),
            },
          ],
        },
      ),
      'at most 100',
    ],
  ])('rejects a document with %s, extracting nothing from it', (_what, line, says) => {
    const { metrics, rejected } = extractEmf([line]);
    expect(metrics).toEqual([]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatch(new RegExp(says));
  });
});

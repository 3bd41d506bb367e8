/**
 * ddbsync status and the lag canary / drift check (moto): their functions are found beside
 * the replicator by name, their HEALTH_TARGETS name the Target dimensions to read, and the
 * latest datapoints per target are shown; a deployed check with no data needs attention.
 */
import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicatorStatus } from '../../cli/src/status.js';
import { type MotoServer, startMoto } from '../support/moto.js';
import { cli, TARGET_ROLE, useMoto } from './helpers.js';
import { createPlaceholderFunction } from './placeholder-function.js';

const REGION = 'us-east-1';
const EU = '222222222222/eu-west-1/orders-copy';
const WEST = '123456789012/us-west-2/orders-copy';
const HEALTH_TARGETS = JSON.stringify([
  { tableName: 'orders-copy', region: 'eu-west-1', roleArn: TARGET_ROLE },
  { tableName: 'orders-copy', region: 'us-west-2' },
]);

async function createFunction(name: string, variables: Record<string, string>): Promise<void> {
  await createPlaceholderFunction({ region: REGION }, name, variables);
}

// One clock reading for every datapoint: a run's DriftedItems and DriftSampledItems must carry
// the same timestamp, as one EMF line gives them; two Date.now() calls can straddle a minute.
const NOW = Date.now();

/** Datapoints as the functions' EMF lines become them: namespace, service and Target. */
async function put(metric: string, target: string, minutesAgo: number, value: number): Promise<void> {
  const datum: MetricDatum = {
    MetricName: metric,
    Dimensions: [
      { Name: 'service', Value: 'orders-sync' },
      { Name: 'Target', Value: target },
    ],
    Timestamp: new Date(NOW - minutesAgo * 60_000),
    Value: value,
  };
  await new CloudWatchClient({ region: REGION }).send(
    new PutMetricDataCommand({ Namespace: 'orders-sync', MetricData: [datum] }),
  );
}

describe('ddbsync status: lag canary and drift check', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
    useMoto(moto);
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("shows each target's last latency and drift run, and what needs attention", async () => {
    const powertools = {
      POWERTOOLS_METRICS_NAMESPACE: 'orders-sync',
      POWERTOOLS_SERVICE_NAME: 'orders-sync',
    };
    await createFunction('orders-sync', { REPLICATION_TARGETS: HEALTH_TARGETS, ...powertools });
    await createFunction('orders-sync-canary', { HEALTH_TARGETS, ...powertools });
    await createFunction('orders-sync-drift', { HEALTH_TARGETS, ...powertools });
    // The canary: EU fine at the last run (a miss before it), us-west-2 silent.
    await put('EndToEndLatency', EU, 12, 900);
    await put('HeartbeatMissing', EU, 12, 0);
    await put('HeartbeatMissing', EU, 8, 1);
    await put('EndToEndLatency', EU, 4, 1_250);
    await put('HeartbeatMissing', EU, 4, 0);
    // The drift check: the last run found 2 items drifted in EU, none in us-west-2.
    await put('DriftedItems', EU, 200, 0);
    await put('DriftSampledItems', EU, 200, 1000);
    await put('DriftedItems', EU, 80, 2);
    await put('DriftSampledItems', EU, 80, 1000);
    await put('DriftedItems', WEST, 80, 0);
    await put('DriftSampledItems', WEST, 80, 998);

    const json = await cli(['status', '--function', 'orders-sync', '--json', '--window', '30']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(1);
    const status = JSON.parse(json.stdout) as ReplicatorStatus;
    expect(status.health.canary).toMatchObject({
      function: 'orders-sync-canary',
      deployed: true,
      windowMinutes: 30,
      targets: [
        { target: EU, lastLatencyMs: 1_250, lastMissing: 0, runs: 3, misses: 1 },
        { target: WEST, runs: 0, misses: 0 },
      ],
    });
    expect(status.health.canary.targets[1]).not.toHaveProperty('lastMissing');
    expect(status.health.drift).toMatchObject({
      function: 'orders-sync-drift',
      deployed: true,
      lookbackMinutes: 1440,
      targets: [
        { target: EU, drifted: 2, sampled: 1000 },
        { target: WEST, drifted: 0, sampled: 998 },
      ],
    });
    expect(status.attention).toEqual(
      expect.arrayContaining([
        `canary: no data for ${WEST} in the last 30 min: the canary did not run or could not publish (see orders-sync-canary's log group)`,
        expect.stringMatching(new RegExp(`^drift check: the run at .* found 2 drifted items in ${EU}`)),
      ]),
    );
    expect(status.attention.some((a) => a.includes(`${EU} within the threshold`))).toBe(false);

    const text = await cli(['status', '--function', 'orders-sync', '--window', '30']);
    expect(text.stdout).toContain('  canary       orders-sync-canary, last 30 min:\n');
    expect(text.stdout).toMatch(
      new RegExp(`\\n {4}${EU}: latency 1\\.3 s at [0-9T:.-]+Z; 1 of 3 runs missed\\n`),
    );
    expect(text.stdout).toContain(`\n    ${WEST}: no data\n`);
    expect(text.stdout).toContain('  drift check  orders-sync-drift, last run in 24 h:\n');
    expect(text.stdout).toMatch(new RegExp(`\\n {4}${EU}: 2 drifted of 1000 sampled at `));

    // The last run missing its heartbeat needs attention; a drift window too short to hold a run says so.
    await put('HeartbeatMissing', EU, 1, 1);
    const later = JSON.parse(
      (await cli(['status', '--function', 'orders-sync', '--json', '--window', '30', '--drift-window', '60']))
        .stdout,
    ) as ReplicatorStatus;
    expect(later.health.canary.targets[0]).toMatchObject({ lastMissing: 1, misses: 2 });
    expect(later.attention).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^canary: the heartbeat did not reach ${EU} within the threshold`)),
        `drift check: no run recorded for ${EU} in the last 1 h`,
      ]),
    );
  });

  it('says a check is not deployed when its function does not exist, and needs no attention for it', async () => {
    await createFunction('plain-sync', { REPLICATION_TARGETS: HEALTH_TARGETS });
    const r = await cli(['status', '--function', 'plain-sync', '--json']);
    const status = JSON.parse(r.stdout) as ReplicatorStatus;
    expect(status.health.canary).toMatchObject({
      function: 'plain-sync-canary',
      deployed: false,
      targets: [],
    });
    expect(status.health.drift).toMatchObject({ function: 'plain-sync-drift', deployed: false, targets: [] });
    expect(status.attention.filter((a) => /canary|drift/.test(a))).toEqual([]);
    const text = await cli(['status', '--function', 'plain-sync']);
    expect(text.stdout).toContain('  canary       not deployed (no function plain-sync-canary)\n');
    expect(text.stdout).toContain('  drift check  not deployed (no function plain-sync-drift)\n');
  });
});

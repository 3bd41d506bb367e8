/**
 * Credentials of role targets, with the writers the function builds at cold start:
 * against moto, targets that share a role make one AssumeRole per role and external id
 * however many targets use it; against an STS endpoint that never answers, the writes
 * fail in bounded time with an error that says so, instead of holding the batch.
 */
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTargetWriters, parseTargets, TargetWriteError, writeEntry } from '#core';
import {
  assumedRoleDynamoClient,
  assumedRoleSessions,
  canonicalTable,
  createTable,
  scanAll,
} from '../support/fixtures.js';
import { type MotoServer, startMoto } from '../support/moto.js';

const ROLE = 'arn:aws:iam::333333333333:role/ddbsync-writer';
const SESSION = 'ddbsync-shared-role-test';
let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env('us-east-1'));
});
afterAll(async () => {
  await moto?.stop();
});

describe('targets sharing a role', () => {
  it('assume it once per external id, and each target gets every write in its region', async () => {
    const targets = parseTargets(
      JSON.stringify([
        { tableName: 'replica-a', region: 'eu-west-1', roleArn: ROLE, externalId: 'ext-1' },
        { tableName: 'replica-b', region: 'us-west-2', roleArn: ROLE, externalId: 'ext-1' },
        { tableName: 'replica-c', region: 'eu-west-1', roleArn: ROLE, externalId: 'ext-1' },
        { tableName: 'replica-d', region: 'eu-west-1', roleArn: ROLE, externalId: 'ext-2' },
      ]),
      'us-east-1',
    );
    const tableClients = [];
    for (const t of targets) {
      const client = await assumedRoleDynamoClient(moto.endpoint, t.region, ROLE);
      await createTable(client, t.tableName);
      tableClients.push(client);
    }

    const writers = createTargetWriters(targets, { stsRegion: 'us-east-1', sessionName: SESSION });
    const key = { pk: { S: 'order#1' }, sk: { N: '1' } };
    const entries = [writeEntry({ PutRequest: { Item: { ...key, v: { B: 'AAEC/w==' } } } }, key)];
    // Twice, all targets at once, as invocations do: the second finds the credentials cached.
    for (let round = 0; round < 2; round++) {
      const results = await Promise.all(
        writers.map((w) => w.write(entries, { deadline: Date.now() + 30_000, concurrency: 4 })),
      );
      expect(results.map((r) => r.failed.size)).toEqual([0, 0, 0, 0]);
    }

    const sessions = (await assumedRoleSessions(moto.endpoint)).filter((s) => s.sessionName === SESSION);
    expect(sessions.map((s) => s.externalId).sort()).toEqual(['ext-1', 'ext-2']);
    for (const [i, t] of targets.entries()) {
      expect(canonicalTable(await scanAll(tableClients[i] as never, t.tableName))).toEqual(
        canonicalTable([{ ...key, v: { B: Uint8Array.from([0, 1, 2, 255]) } }]),
      );
    }
  });
});

describe('an STS endpoint that never answers', () => {
  it('fails the writes within the STS time limit, naming the table and the timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts, never replies
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const before = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${port}`;
    try {
      const targets = parseTargets(
        JSON.stringify([{ tableName: 'replica-x', region: 'eu-west-1', roleArn: ROLE }]),
        'us-east-1',
      );
      const [writer] = createTargetWriters(targets, {
        stsRegion: 'us-east-1',
        sessionName: SESSION,
        maxAttempts: 1,
        stsTimeoutMs: 300,
      });
      const key = { pk: { S: 'order#2' }, sk: { N: '2' } };
      const started = Date.now();
      const result = await writer?.write([writeEntry({ PutRequest: { Item: key } }, key)], {
        deadline: Date.now() + 60_000,
        concurrency: 1,
      });
      const elapsed = Date.now() - started;
      expect(result?.failed.size).toBe(1);
      const error = result?.failed.get(0);
      expect(error).toBeInstanceOf(TargetWriteError);
      expect(error?.message).toMatch(/replica-x/);
      expect(error?.message).toMatch(/time/i);
      // Two STS attempts of at most 300 ms each, not the minute the deadline would allow.
      expect(elapsed).toBeLessThan(5_000);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      if (before === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = before;
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 15_000); // without the STS limit the write would hang; fail instead of waiting for it
});

/**
 * The local AWS the demo and the end-to-end tests deploy to: a moto server started through
 * test/support/moto_server.py, which is moto_server with the DynamoDB Streams behaviour that
 * replication depends on (the launcher's docstring lists each patch and the test needing it):
 * - a Lambda event source mapping created disabled leaves the DynamoDB stream alone, as on
 *   AWS (moto 5.2.1 otherwise hands the records of every write to any mapping on the table,
 *   enabled or not, through Docker, and then discards them);
 * - shards roll over on request (rolloverShard): the open shard closes and a child takes
 *   later writes, as DynamoDB does every few hours;
 * - DescribeStream lists every shard and pages them (Limit, ExclusiveStartShardId).
 * Everything else is moto's.
 */
import { fileURLToPath } from 'node:url';
import { type MotoServer, startMoto } from './moto.js';

/** The launcher; MOTO_SERVER chooses the executable startMoto runs. */
export const MOTO_LAUNCHER = fileURLToPath(new URL('./moto_server.py', import.meta.url));

/**
 * Starts the launcher, or the executable LOCAL_AWS_SERVER names: LOCAL_AWS_SERVER=moto_server
 * runs a test on stock moto, to show that it needs the launcher's patches.
 */
export async function startLocalAws(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const previous = process.env.MOTO_SERVER;
  process.env.MOTO_SERVER = process.env.LOCAL_AWS_SERVER || MOTO_LAUNCHER;
  try {
    return await startMoto(options);
  } finally {
    if (previous === undefined) delete process.env.MOTO_SERVER;
    else process.env.MOTO_SERVER = previous;
  }
}

export interface Rollover {
  /** The shard that was open and is now closed. */
  readonly closedShardId: string;
  /** Its child, which takes every later write. */
  readonly shardId: string;
}

/** Closes the stream's open shard and opens a child (a launcher endpoint; stock moto has none). */
export async function rolloverShard(endpoint: string, streamArn: string): Promise<Rollover> {
  const res = await fetch(
    `${endpoint}/moto-api/ddbsync/rollover?streamArn=${encodeURIComponent(streamArn)}`,
    { method: 'POST' },
  );
  const body = await res.text();
  if (!res.ok) throw new Error(`shard rollover of ${streamArn} failed: ${res.status} ${body}`);
  return JSON.parse(body) as Rollover;
}

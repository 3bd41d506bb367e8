/**
 * The local AWS the demo and the end-to-end tests deploy to: a moto server started through
 * test/support/moto_server.py, which is moto_server with one correction, so that a Lambda
 * event source mapping created disabled leaves the DynamoDB stream alone, as on AWS
 * (moto 5.2.1 otherwise hands the records of every write to any mapping on the table,
 * enabled or not, through Docker, and then discards them). Everything else is moto's.
 */
import { fileURLToPath } from 'node:url';
import { type MotoServer, startMoto } from './moto.js';

/** The launcher; MOTO_SERVER chooses the executable startMoto runs. */
export const MOTO_LAUNCHER = fileURLToPath(new URL('./moto_server.py', import.meta.url));

export async function startLocalAws(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const previous = process.env.MOTO_SERVER;
  process.env.MOTO_SERVER = MOTO_LAUNCHER;
  try {
    return await startMoto(options);
  } finally {
    if (previous === undefined) delete process.env.MOTO_SERVER;
    else process.env.MOTO_SERVER = previous;
  }
}

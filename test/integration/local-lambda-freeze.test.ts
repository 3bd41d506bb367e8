/**
 * The local Lambda runtime freezes its execution environment between invocations, as
 * Lambda does, so a handler that returns before the work it started has finished is
 * caught here rather than in AWS: the work stands still until a later invocation thaws it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalLambda, startLocalLambda } from '../support/local-lambda.js';

/** A function whose bugs are on purpose: it starts writes and returns without awaiting them. */
const CODE = `
import { existsSync, writeFileSync } from 'node:fs';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
if (process.env.PID_FILE) writeFileSync(process.env.PID_FILE, String(process.pid));
// Init work left running, too.
if (process.env.INIT_WRITE) setTimeout(() => writeFileSync(process.env.INIT_WRITE, 'init'), 50);
export const handler = async (event) => {
  if (event.action === 'forget-timer') {
    setTimeout(() => writeFileSync(event.path, 'written'), 50);
  }
  if (event.action === 'forget-request') {
    fetch(event.url).then((res) => res.text()).then((body) => writeFileSync(event.path, body));
  }
  if (event.action === 'wait-for') {
    // The next event: lets what the last one left behind run, and says whether it did.
    const deadline = Date.now() + event.ms;
    while (!existsSync(event.path) && Date.now() < deadline) await sleep(10);
    return existsSync(event.path);
  }
  return 'returned';
};
`;

/** Long enough for any write above to finish many times over in a process left running. */
const FROZEN_WAIT_MS = 1_000;

let dir: string;
let zipPath: string;
const running: LocalLambda[] = [];
let server: Server | undefined;

async function start(env: Record<string, string> = {}): Promise<LocalLambda> {
  const fn = await startLocalLambda({ zipPath, env: { AWS_REGION: 'eu-west-1', ...env }, timeoutMs: 10_000 });
  running.push(fn);
  return fn;
}

/** An HTTP server that receives requests but answers only once release() is called. */
async function heldResponseServer(): Promise<{ url: string; release: () => void }> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  server = createServer((_req, res) => {
    void released.then(() => res.end('the response'));
  });
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const { port } = listening.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/write`, release };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-lambda-freeze-'));
  zipPath = join(dir, 'function.zip');
  await writeFile(zipPath, zipSync({ 'index.mjs': strToU8(CODE) }));
});

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  server?.closeAllConnections();
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the local Lambda freezes between invocations', () => {
  it('holds a timer-based write the handler did not await until the next invocation', async () => {
    const fn = await start();
    const path = join(dir, 'timer-write');
    expect((await fn.invoke({ action: 'forget-timer', path })).result).toBe('returned');
    await sleep(FROZEN_WAIT_MS);
    expect(existsSync(path)).toBe(false);
    // Thawed, the overdue write runs: it was held, not lost.
    const next = await fn.invoke({ action: 'wait-for', path, ms: 5_000 });
    expect(next).toMatchObject({ result: true, coldStart: false });
    expect(await readFile(path, 'utf8')).toBe('written');
  });

  it('holds the response to a request the handler did not await until the next invocation', async () => {
    const fn = await start();
    const { url, release } = await heldResponseServer();
    const path = join(dir, 'request-write');
    expect((await fn.invoke({ action: 'forget-request', url, path })).result).toBe('returned');
    // The response is there to be read from now on; a frozen process does not read it.
    release();
    await sleep(FROZEN_WAIT_MS);
    expect(existsSync(path)).toBe(false);
    const next = await fn.invoke({ action: 'wait-for', path, ms: 5_000 });
    expect(next.result).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('the response');
  });

  it('freezes after init too, and stop() ends an environment frozen before its first invocation', async () => {
    const pidFile = join(dir, 'pid');
    const initWrite = join(dir, 'init-write');
    const fn = await start({ PID_FILE: pidFile, INIT_WRITE: initWrite });
    const pid = Number(await readFile(pidFile, 'utf8'));
    await sleep(FROZEN_WAIT_MS);
    expect(existsSync(initWrite)).toBe(false);
    await fn.stop();
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});

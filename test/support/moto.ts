/**
 * Starts a real moto server (the local AWS API) on a free loopback port for a test
 * suite, and stops it. Every integration test, the demo and the benchmark's AWS
 * parts use this; nothing talks to anything but 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  /** Environment for SDK clients and child processes: endpoint, fake credentials, region. */
  env(region?: string): Record<string, string>;
  /** Forgets every resource (moto's reset API), for isolation between tests. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** The account moto uses for plain (non-assumed) credentials. */
export const MOTO_DEFAULT_ACCOUNT = '123456789012';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function withoutMotoAccount(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { MOTO_ACCOUNT_ID: _ignored, ...rest } = env;
  return rest;
}

function motoCommand(): string {
  return process.env.MOTO_SERVER ?? 'moto_server';
}

export async function startMoto(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(motoCommand(), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // No MOTO_ACCOUNT_ID: with it set, moto ignores the account of assumed-role credentials.
    env: withoutMotoAccount(process.env),
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (spawnError) {
      throw new Error(
        `cannot start moto_server (${spawnError.message}); install it with: pip install 'moto[server]'`,
      );
    }
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within the timeout: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    endpoint,
    port,
    env: (region = 'us-east-1') => ({
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
    }),
    reset: async () => {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Runs the functions deployed on the local AWS (moto) when they are invoked through Lambda's
 * Invoke API, as Lambda would: the moto launcher (test/support/moto_server.py, through
 * moto_patches_first_sync.py) forwards every Invoke to this service when it was started with
 * DDBSYNC_LOCAL_LAMBDA_URL set to its url. So a Step Functions Lambda task, or a test's own
 * Invoke call, runs the function's real code.
 *
 * For each invocation the service reads the function from moto (GetFunction: handler,
 * environment, role, timeout, memory, and the deployment package from Code.Location,
 * checked against CodeSha256), assumes its execution role through moto's STS, and runs
 * the package with test/support/local-lambda.ts, the endpoint of every AWS call being moto.
 * One warm execution environment per function version is kept and reused (frozen between
 * invocations) until its configuration or code changes; invocations of one function run
 * one at a time, in arrival order.
 *
 * Answers follow the Invoke API: the handler's result as the payload; a failure (thrown
 * error, timeout, crash, init error) as FunctionError "Unhandled" with an
 * {errorType, errorMessage} payload; LogType Tail adds the last 4 KB of the invocation's
 * logs. An Event invocation is accepted at once and run in the background (Lambda's two
 * retries of a failed asynchronous invocation are not emulated; `settled()` waits for it).
 *
 *   const service = await startLocalLambdaService();
 *   // start moto with DDBSYNC_LOCAL_LAMBDA_URL=service.url, then:
 *   service.connect(moto.endpoint);
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FunctionConfiguration, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { type InvokeOutcome, type LocalLambda, startLocalLambda } from './local-lambda.js';

/** What the launcher sends for one Invoke call. */
export interface ForwardedInvoke {
  readonly functionArn: string;
  readonly functionName: string;
  /** "$LATEST" or a published version number. */
  readonly version: string;
  readonly account: string;
  readonly region: string;
  readonly invocationType: 'RequestResponse' | 'Event';
  readonly logType: 'None' | 'Tail';
  /** The request payload as sent (JSON text). */
  readonly payload: string;
}

/** One invocation the service ran, for tests to inspect. */
export interface InvocationRecord {
  readonly functionArn: string;
  readonly invocationType: ForwardedInvoke['invocationType'];
  readonly event: unknown;
  readonly outcome: InvokeOutcome;
  readonly durationMs: number;
}

export interface LocalLambdaService {
  /** Where the launcher sends invocations (DDBSYNC_LOCAL_LAMBDA_URL). */
  readonly url: string;
  /** Sets the local AWS endpoint; invocations before this fail with a service error. */
  connect(endpoint: string): void;
  /** Every invocation run so far, in completion order. */
  readonly invocations: readonly InvocationRecord[];
  /** How many execution environments (cold starts) the service has started. */
  readonly environmentsStarted: number;
  /**
   * Awaited before each invocation runs, so that a test can act at an exact step of a state
   * machine (e.g. change a table after the export, before the first read of it); undefined: none.
   */
  beforeInvoke: ((request: ForwardedInvoke, event: unknown) => Promise<void>) | undefined;
  /** Resolves when every Event invocation accepted so far has finished. */
  settled(): Promise<void>;
  /** Stops every execution environment (the next invocation starts afresh), e.g. after a moto reset. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export class LocalLambdaServiceNotConnectedError extends Error {
  override readonly name = 'LocalLambdaServiceNotConnectedError';
  constructor() {
    super('the local Lambda service has no AWS endpoint yet: call connect(endpoint) after starting moto');
  }
}

export class CodeChecksumMismatchError extends Error {
  override readonly name = 'CodeChecksumMismatchError';
  constructor(
    readonly functionArn: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`the code downloaded for ${functionArn} has SHA-256 ${actual}, but GetFunction says ${expected}`);
  }
}

/** An error the Invoke API itself returns (not a function error), e.g. a payload that is not JSON. */
class InvokeRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const LOG_TAIL_BYTES = 4096;
/** Credentials are renewed (with a new environment) this long before they expire. */
const CREDENTIAL_MARGIN_MS = 5 * 60_000;
// moto needs an answer to these, whatever they are.
const SERVICE_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

interface Environment {
  readonly key: string;
  readonly fn: LocalLambda;
  readonly expiresAt: number;
}

/** A Lambda client acting in `account` (moto reads the x-moto-account-id header). */
function lambdaClientFor(endpoint: string, region: string, account: string): LambdaClient {
  const client = new LambdaClient({ endpoint, region, credentials: SERVICE_CREDENTIALS, maxAttempts: 2 });
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-moto-account-id'] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
}

/** What decides whether a warm environment may serve this configuration. */
function environmentKey(config: FunctionConfiguration): string {
  return JSON.stringify([
    config.FunctionArn,
    config.Version,
    config.CodeSha256,
    config.Handler,
    config.Role,
    config.Timeout,
    config.MemorySize,
    config.Environment?.Variables ?? {},
  ]);
}

function sha256Base64(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64');
}

function functionPayload(outcome: InvokeOutcome): { payload: string; functionError?: string } {
  if (outcome.error) {
    return {
      functionError: 'Unhandled',
      payload: JSON.stringify({ errorType: outcome.error.name, errorMessage: outcome.error.message }),
    };
  }
  return { payload: JSON.stringify(outcome.result ?? null) };
}

function logTail(logs: readonly string[]): string {
  const text = Buffer.from(logs.map((l) => `${l}\n`).join(''));
  return text.subarray(Math.max(0, text.length - LOG_TAIL_BYTES)).toString('base64');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startLocalLambdaService(
  options: { endpoint?: string } = {},
): Promise<LocalLambdaService> {
  let endpoint = options.endpoint;
  const environments = new Map<string, Promise<Environment>>();
  const invocations: InvocationRecord[] = [];
  const background = new Set<Promise<unknown>>();
  let environmentsStarted = 0;

  async function startEnvironment(
    endpoint: string,
    request: ForwardedInvoke,
    config: FunctionConfiguration,
    location: string,
    key: string,
  ): Promise<Environment> {
    const res = await fetch(location);
    if (!res.ok) throw new Error(`cannot download the code of ${request.functionArn}: HTTP ${res.status}`);
    const zip = new Uint8Array(await res.arrayBuffer());
    const actual = sha256Base64(zip);
    if (actual !== config.CodeSha256) {
      throw new CodeChecksumMismatchError(request.functionArn, String(config.CodeSha256), actual);
    }
    const sts = new STSClient({ endpoint, region: request.region, credentials: SERVICE_CREDENTIALS });
    const assumed = await sts
      .send(
        new AssumeRoleCommand({
          RoleArn: config.Role,
          // Lambda names the session after the function.
          RoleSessionName: request.functionName.slice(0, 64),
        }),
      )
      .finally(() => sts.destroy());
    const credentials = assumed.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new Error(`AssumeRole of ${config.Role} returned no credentials`);
    }
    // startLocalLambda extracts the package into a directory of its own; this copy is only its input.
    const dir = await mkdtemp(join(tmpdir(), 'local-lambda-service-'));
    const zipPath = join(dir, 'code.zip');
    await writeFile(zipPath, zip);
    const fn = await startLocalLambda({
      zipPath,
      handler: config.Handler,
      timeoutMs: (config.Timeout ?? 3) * 1000,
      memoryMb: config.MemorySize,
      functionName: request.functionName,
      functionArn: config.FunctionArn,
      env: {
        ...(config.Environment?.Variables ?? {}),
        // Lambda's reserved variables win over the function's own.
        AWS_REGION: request.region,
        AWS_DEFAULT_REGION: request.region,
        AWS_ACCESS_KEY_ID: credentials.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey,
        ...(credentials.SessionToken ? { AWS_SESSION_TOKEN: credentials.SessionToken } : {}),
        AWS_LAMBDA_FUNCTION_TIMEOUT: String(config.Timeout ?? 3),
        AWS_ENDPOINT_URL: endpoint,
      },
    }).finally(() => rm(dir, { recursive: true, force: true }));
    environmentsStarted++;
    const expiresAt = credentials.Expiration?.getTime() ?? Number.POSITIVE_INFINITY;
    return { key, fn, expiresAt };
  }

  async function disposeEnvironment(env: Environment): Promise<void> {
    await env.fn.stop();
  }

  /** The warm environment for this function version, started or replaced when needed. */
  async function environmentFor(request: ForwardedInvoke): Promise<Environment> {
    if (!endpoint) throw new LocalLambdaServiceNotConnectedError();
    const lambda = lambdaClientFor(endpoint, request.region, request.account);
    const got = await lambda
      .send(
        new GetFunctionCommand({
          FunctionName: request.functionArn,
          ...(request.version !== '$LATEST' ? { Qualifier: request.version } : {}),
        }),
      )
      .finally(() => lambda.destroy());
    const config = got.Configuration;
    const location = got.Code?.Location;
    if (!config || !location)
      throw new Error(`GetFunction of ${request.functionArn} returned no code location`);
    const slot = `${request.functionArn}:${request.version}`;
    const key = environmentKey(config);
    for (;;) {
      const existing = environments.get(slot);
      if (!existing) {
        const started = startEnvironment(endpoint, request, config, location, key);
        environments.set(slot, started);
        started.catch(() => {
          if (environments.get(slot) === started) environments.delete(slot);
        });
        return started;
      }
      const env = await existing.catch(() => undefined);
      if (env && env.key === key && env.expiresAt - Date.now() > CREDENTIAL_MARGIN_MS) return env;
      // Stale (new code or configuration, expiring credentials) or failed: the first caller
      // to notice drops it; everyone then uses the one started next.
      if (environments.get(slot) === existing) {
        environments.delete(slot);
        if (env) void disposeEnvironment(env);
      }
    }
  }

  function parseEvent(payload: string): unknown {
    try {
      return JSON.parse(payload === '' ? '{}' : payload);
    } catch {
      throw new InvokeRequestError(
        'InvalidRequestContentException',
        'Could not parse request body into json',
        400,
      );
    }
  }

  async function run(request: ForwardedInvoke, event: unknown): Promise<InvokeOutcome> {
    await service.beforeInvoke?.(request, event);
    const env = await environmentFor(request);
    const started = Date.now();
    const outcome = await env.fn.invoke(event);
    invocations.push({
      functionArn: request.functionArn,
      invocationType: request.invocationType,
      event,
      outcome,
      durationMs: Date.now() - started,
    });
    return outcome;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/invoke') {
      reply(res, 404, { message: `no route ${req.method} ${req.url}` });
      return;
    }
    try {
      const request = JSON.parse(await readBody(req)) as ForwardedInvoke;
      const event = parseEvent(request.payload);
      if (request.invocationType === 'Event') {
        const job = run(request, event).catch((err: unknown) => {
          // Nobody awaits an Event invocation; a failure to run it still shows in the logs.
          console.error(`local Lambda service: Event invocation of ${request.functionArn} failed:`, err);
        });
        background.add(job);
        void job.finally(() => background.delete(job));
        reply(res, 202, {});
        return;
      }
      const outcome = await run(request, event);
      reply(res, 200, {
        ...functionPayload(outcome),
        ...(request.logType === 'Tail' ? { logResult: logTail(outcome.logs) } : {}),
      });
    } catch (err) {
      if (err instanceof InvokeRequestError) {
        reply(res, 200, { error: { code: err.code, message: err.message, status: err.status } });
      } else {
        reply(res, 500, { message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      }
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  // Lambda invocations can last 15 minutes; Node's default would cut them at 5.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  async function stopEnvironments(): Promise<void> {
    const all = [...environments.values()];
    environments.clear();
    await Promise.all(all.map((p) => p.then(disposeEnvironment, () => undefined)));
  }

  const service: LocalLambdaService = {
    url: `http://127.0.0.1:${port}/invoke`,
    beforeInvoke: undefined,
    connect(url) {
      endpoint = url;
    },
    invocations,
    get environmentsStarted() {
      return environmentsStarted;
    },
    async settled() {
      while (background.size > 0) await Promise.all([...background]);
    },
    async reset() {
      await stopEnvironments();
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await Promise.all([...background]);
      await stopEnvironments();
    },
  };
  return service;
}

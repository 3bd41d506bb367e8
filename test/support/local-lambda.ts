/**
 * Runs a deployment package the way Lambda's Node.js runtime would, on this machine:
 * the zip is extracted to a temporary directory and its handler runs in a child Node
 * process (test/support/lambda-runner.mjs) whose environment is exactly the function's
 * (plus PATH and Lambda's reserved variables), never the caller's AWS settings. One
 * child is one execution environment: module state (clients, cached credentials)
 * survives between invocations, as in a warm container, until a timeout or crash, after
 * which the next invocation starts a fresh one (a new cold start).
 *
 * Between invocations the environment is frozen, as Lambda freezes it once the runtime
 * (and every extension) has finished a phase and waits for the next event
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html). The
 * child is stopped with SIGSTOP as soon as its answer arrives (after init, too) and
 * continued with SIGCONT just before the next event is sent: no timer fires and no I/O
 * callback runs meanwhile, so work a handler started but did not await stands still
 * until a later invocation thaws it, if one ever does. An async handler's answer is its
 * settled promise, whatever it left running; context.callbackWaitsForEmptyEventLoop makes
 * Lambda wait for an empty event loop only after a callback-style handler calls back
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html, which also says that
 * what is left over runs on in the next invocation). This runner runs async handlers only
 * (as the replicator's is) and hands no callback.
 *
 *   const fn = await startLocalLambda({ zipPath: 'dist/replicator.zip', env, timeoutMs: 30_000 });
 *   const { result, error, logs } = await fn.invoke(event);
 *   await fn.stop();
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

/** Lambda's limit on a synchronous invocation's request payload. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

const RUNNER = fileURLToPath(new URL('./lambda-runner.mjs', import.meta.url));
const END_MARKER = '\u0000local-lambda:end:';

/** Children alive in this process. A frozen child cannot notice that its parent is gone, so
 * what nobody stopped is killed when this process exits (process.exit or a natural end; a
 * process killed by a signal cannot, and its frozen children stay stopped until the kernel
 * hangs up on their orphaned process group). */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

export interface LocalLambdaOptions {
  /** The deployment package, e.g. dist/replicator.zip. */
  readonly zipPath: string;
  /** "<module>.<export>"; default "index.handler". */
  readonly handler?: string;
  /** The function's environment variables: its configuration, region and credentials. */
  readonly env: Readonly<Record<string, string>>;
  /** The function's timeout; getRemainingTimeInMillis counts down from it. */
  readonly timeoutMs: number;
  /** Default "ddbsync-local". */
  readonly functionName?: string;
  /** Default arn:aws:lambda:<AWS_REGION>:123456789012:function:<functionName>. */
  readonly functionArn?: string;
  /** Reported as the context's memoryLimitInMB and AWS_LAMBDA_FUNCTION_MEMORY_SIZE; default 128. */
  readonly memoryMb?: number;
}

/** An error as Lambda reports it (errorType / errorMessage). */
export interface InvokeError {
  readonly name: string;
  readonly message: string;
  /** "init" when the module failed to load (Lambda's init failure), else "invoke". */
  readonly phase: 'init' | 'invoke';
}

export interface InvokeOutcome {
  /** The invocation's request id (context.awsRequestId). */
  readonly requestId: string;
  /** The handler's return value (JSON round-tripped); absent when it failed. */
  readonly result?: unknown;
  /** Present when the function failed: init error, thrown error, timeout or crash. */
  readonly error?: InvokeError;
  /** Every line the function wrote (stdout and stderr) during this invocation, and during
   * its init when this invocation started a new environment. */
  readonly logs: string[];
  /** True when this invocation started a new execution environment. */
  readonly coldStart: boolean;
}

export interface LocalLambda {
  readonly functionName: string;
  readonly functionArn: string;
  /** Invokes the function (RequestResponse). Invocations run one at a time, in call order. */
  invoke(event: unknown): Promise<InvokeOutcome>;
  /** How many execution environments have been started (cold starts). */
  readonly environmentsStarted: number;
  /** Kills the environment and removes the extracted code. */
  stop(): Promise<void>;
}

/** Extracts a zip into dir, refusing entries that would land outside it. */
export async function extractZip(zip: Uint8Array, dir: string): Promise<void> {
  const root = resolve(dir);
  for (const [name, data] of Object.entries(unzipSync(zip))) {
    const target = resolve(root, name);
    if (target !== root && !target.startsWith(root + sep)) {
      throw new Error(`zip entry "${name}" would be written outside ${root}`);
    }
    if (name.endsWith('/')) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
  }
}

/** Lambda's reserved variables, then the function's own; nothing from this process but PATH. */
function functionEnvironment(
  options: LocalLambdaOptions,
  codeDir: string,
  functionName: string,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // What the bundled SDK reads (Lambda's nodejs22.x would not warn at all).
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LAMBDA_TASK_ROOT: codeDir,
    _HANDLER: options.handler ?? 'index.handler',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb ?? 128),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    TZ: 'UTC',
    ...options.env,
  };
}

type RunnerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: { name: string; message: string } }
  | { type: 'result'; id: string; result: unknown }
  | { type: 'error'; id: string; error: { name: string; message: string } };

/** One running child: its log lines, split at the runner's end-of-invocation markers. */
class Environment {
  readonly child: ChildProcess;
  private partial = '';
  private lines: string[] = [];
  private readonly markers = new Map<string, string[]>();
  private readonly markerWaiters = new Map<string, (lines: string[]) => void>();
  private readonly messageWaiters: ((m: RunnerMessage) => void)[] = [];
  private readonly exitWaiters: ((reason: string) => void)[] = [];
  private stderr = '';
  private frozen = false;
  exited: string | undefined;

  constructor(codeDir: string, handler: string, env: Record<string, string>) {
    this.child = fork(RUNNER, [codeDir, handler], {
      cwd: codeDir,
      env,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    liveChildren.add(this.child);
    this.child.on('message', (m: RunnerMessage) => {
      // Every message but an init failure (killed next) ends a phase: freeze here, before
      // anyone awaits anything, so the function gets no more time than the runner's reply.
      if (m.type !== 'init-error') this.freeze();
      for (const w of this.messageWaiters.splice(0)) w(m);
    });
    this.child.on('exit', (code, signal) => {
      liveChildren.delete(this.child);
      this.exited = `exited with ${signal ?? `code ${code}`}${this.stderr ? `: ${this.stderr.trim()}` : ''}`;
      for (const w of this.exitWaiters.splice(0)) w(this.exited);
    });
  }

  private onStdout(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.startsWith(END_MARKER)) {
        const id = line.slice(END_MARKER.length);
        const collected = this.lines;
        this.lines = [];
        const waiter = this.markerWaiters.get(id);
        if (waiter) {
          this.markerWaiters.delete(id);
          waiter(collected);
        } else {
          this.markers.set(id, collected);
        }
      } else if (line !== '') {
        this.lines.push(line);
      }
    }
  }

  /** Lines written up to the runner's marker for id. */
  logsUntil(id: string): Promise<string[]> {
    const done = this.markers.get(id);
    if (done) {
      this.markers.delete(id);
      return Promise.resolve(done);
    }
    return new Promise((resolve) => this.markerWaiters.set(id, resolve));
  }

  /** Lines written so far that no marker has closed (for timeouts and crashes). */
  takePendingLines(): string[] {
    const out = [...this.lines, ...(this.partial ? [this.partial] : [])];
    this.lines = [];
    this.partial = '';
    return out;
  }

  nextMessage(): Promise<RunnerMessage> {
    return new Promise((resolve) => this.messageWaiters.push(resolve));
  }

  exit(): Promise<string> {
    if (this.exited !== undefined) return Promise.resolve(this.exited);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /** Stops the whole process (every thread, its sockets and timers) until thaw(). */
  private freeze(): void {
    if (this.exited !== undefined || this.frozen) return;
    this.frozen = this.signal('SIGSTOP');
  }

  /** Continues a frozen process; call before sending it the next event. */
  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    this.signal('SIGCONT');
  }

  /** process.kill rather than child.kill: the latter marks the child "killed" for any signal. */
  private signal(name: NodeJS.Signals): boolean {
    if (this.child.pid === undefined || this.exited !== undefined) return false;
    try {
      process.kill(this.child.pid, name);
      return true;
    } catch {
      return false; // already gone; the exit event reports it
    }
  }

  /** SIGKILL ends a frozen process too; SIGTERM would wait for a SIGCONT. */
  async kill(): Promise<void> {
    if (this.exited !== undefined) return;
    const gone = this.exit();
    this.child.kill('SIGKILL');
    await gone;
  }
}

function describeCrash(reason: string): InvokeError {
  return { name: 'Runtime.ExitError', message: `the runtime ${reason}`, phase: 'invoke' };
}

interface StartedEnvironment {
  readonly env?: Environment;
  readonly logs: string[];
  readonly error?: InvokeError;
}

export async function startLocalLambda(options: LocalLambdaOptions): Promise<LocalLambda> {
  const functionName = options.functionName ?? 'ddbsync-local';
  const region = options.env.AWS_REGION ?? 'us-east-1';
  const functionArn = options.functionArn ?? `arn:aws:lambda:${region}:123456789012:function:${functionName}`;
  const handler = options.handler ?? 'index.handler';
  const zip = await readFile(options.zipPath);
  const codeDir = await mkdtemp(join(tmpdir(), 'local-lambda-'));
  await extractZip(zip, codeDir);
  const env = functionEnvironment(options, codeDir, functionName);

  let current: Environment | undefined;
  let environmentsStarted = 0;
  let stopped = false;
  let queue: Promise<unknown> = Promise.resolve();
  let prestarted: StartedEnvironment | undefined;

  /** Starts an environment and runs its init; returns the init logs and any init error. */
  async function startEnvironment(): Promise<StartedEnvironment> {
    const e = new Environment(codeDir, handler, env);
    environmentsStarted++;
    const first = await Promise.race([e.nextMessage(), e.exit().then((reason) => ({ exit: reason }))]);
    if ('exit' in first) {
      return { logs: e.takePendingLines(), error: { ...describeCrash(first.exit), phase: 'init' } };
    }
    const logs = await e.logsUntil('init');
    if (first.type === 'init-error') {
      await e.kill();
      return { logs, error: { name: first.error.name, message: first.error.message, phase: 'init' } };
    }
    return { env: e, logs };
  }

  async function invokeNow(event: unknown): Promise<InvokeOutcome> {
    const requestId = randomUUID();
    if (stopped) throw new Error(`local Lambda ${functionName} is stopped`);
    const payload = JSON.stringify(event ?? null);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      return {
        requestId,
        error: {
          name: 'RequestEntityTooLargeException',
          message: `request payload of ${Buffer.byteLength(payload)} bytes exceeds ${MAX_PAYLOAD_BYTES}`,
          phase: 'invoke',
        },
        logs: [],
        coldStart: false,
      };
    }
    let initLogs: string[] = [];
    let coldStart = false;
    if (!current || current.exited !== undefined) {
      coldStart = true;
      const started = prestarted ?? (await startEnvironment());
      prestarted = undefined;
      if (started.error || !started.env) {
        return {
          requestId,
          error: started.error ?? describeCrash('did not start'),
          logs: started.logs,
          coldStart,
        };
      }
      current = started.env;
      initLogs = started.logs;
    }
    const e = current;
    const deadlineMs = Date.now() + options.timeoutMs;
    e.thaw();
    e.child.send({
      type: 'invoke',
      id: requestId,
      event: JSON.parse(payload),
      deadlineMs,
      context: {
        functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: functionArn,
        memoryLimitInMB: String(options.memoryMb ?? 128),
        awsRequestId: requestId,
        logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
    });
    const outcome = await Promise.race([
      e.nextMessage(),
      e.exit().then((reason) => ({ exit: reason })),
      timedOut,
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      const logs = [...initLogs, ...e.takePendingLines()];
      await e.kill();
      const seconds = (options.timeoutMs / 1000).toFixed(2);
      return {
        requestId,
        error: {
          name: 'Sandbox.Timedout',
          message: `Task timed out after ${seconds} seconds`,
          phase: 'invoke',
        },
        logs,
        coldStart,
      };
    }
    if ('exit' in outcome) {
      return {
        requestId,
        error: describeCrash(outcome.exit),
        logs: [...initLogs, ...e.takePendingLines()],
        coldStart,
      };
    }
    const logs = [...initLogs, ...(await e.logsUntil(requestId))];
    if (outcome.type === 'result') return { requestId, result: outcome.result, logs, coldStart };
    if (outcome.type === 'error') {
      return {
        requestId,
        error: { name: outcome.error.name, message: outcome.error.message, phase: 'invoke' },
        logs,
        coldStart,
      };
    }
    return { requestId, error: describeCrash(`sent an unexpected ${outcome.type} message`), logs, coldStart };
  }

  // Lambda initialises an environment before the first event arrives; do so too, so the
  // first invocation's timing is not skewed. Its outcome (and an init failure's logs)
  // belongs to the first invocation.
  prestarted = await startEnvironment();

  return {
    functionName,
    functionArn,
    get environmentsStarted() {
      return environmentsStarted;
    },
    invoke(event) {
      const run = queue.then(() => invokeNow(event));
      queue = run.catch(() => undefined);
      return run;
    },
    async stop() {
      stopped = true;
      await queue.catch(() => undefined);
      // The prestarted environment too, when no invocation took it: it sits frozen.
      await Promise.all([current?.kill(), prestarted?.env?.kill()]);
      await rm(codeDir, { recursive: true, force: true });
    },
  };
}

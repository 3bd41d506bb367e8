/**
 * Runs a LocalEventSourceMapping the way Lambda runs the mapping it emulates: by the mapping's
 * state in the local AWS, which anyone (a Step Functions workflow, Terraform, a test) may
 * change with UpdateEventSourceMapping. It polls GetEventSourceMapping and delivers only while
 * the mapping is Enabled; while it is not, the shards' checkpoints are kept, and delivery
 * resumes from them ("If you disable the event source mapping, Lambda stops polling. If you
 * enable again, it will resume polling from the time it had stopped polling",
 * https://docs.aws.amazon.com/lambda/latest/dg/API_UpdateEventSourceMapping.html). The first
 * delivery starts at the mapping's StartingPosition, fixed when the follower starts (as when
 * the mapping is created): TRIM_HORIZON for a new pipeline delivers the whole stream.
 *
 * States (https://docs.aws.amazon.com/lambda/latest/dg/API_EventSourceMappingConfiguration.html:
 * Creating, Enabling, Enabled, Disabling, Disabled, Updating, Deleting): the follower registers
 * itself as the mapping's poller with the launcher (test/support/moto_server.py, patch 4), which
 * then keeps a disabled mapping "Disabling" until the follower confirms it has stopped, between
 * two deliveries, and an enabled one "Enabling" until it starts; so "Disabled" is true when it is
 * read, as on AWS, where a mapping is Disabled once its pollers have stopped. Updating keeps what
 * the mapping was doing; a deleted mapping delivers nothing more.
 */
import {
  GetEventSourceMappingCommand,
  type LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import type { DrainStats, LocalEventSourceMapping } from './event-source-mapping.js';

export class MappingFollowerError extends Error {
  override readonly name = 'MappingFollowerError';
}

export interface MappingFollowerOptions {
  /** The emulator, built from the mapping's settings (settingsFromMapping), not started. */
  readonly esm: LocalEventSourceMapping;
  /** A Lambda client in the mapping's account and region. */
  readonly lambda: LambdaClient;
  readonly uuid: string;
  /** The local AWS (the launcher's endpoints). */
  readonly endpoint: string;
  /** Pause between polls when nothing was delivered; default 200 ms. */
  readonly pollMs?: number;
}

export interface FollowedTotals extends DrainStats {
  /** Deliveries (drains to the end of the stream) made while Enabled. */
  drains: number;
}

/** Every state the follower read, once per change, in order. */
export type StateLog = readonly string[];

export class MappingFollower {
  private readonly o: MappingFollowerOptions;
  private readonly pollMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private failure: unknown;
  private drainsStarted = 0;
  private drainsDone = 0;
  private readonly waiters: { after: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private readonly states: string[] = [];
  private wake: (() => void) | undefined;
  readonly totals: FollowedTotals = {
    drains: 0,
    invocations: 0,
    records: 0,
    retries: 0,
    sentToDlq: 0,
    failureRecords: 0,
  };

  constructor(options: MappingFollowerOptions) {
    this.o = options;
    this.pollMs = options.pollMs ?? 200;
  }

  /** The states read so far, each change once. */
  get stateLog(): StateLog {
    return this.states;
  }

  /** Fixes the starting position, registers as the mapping's poller and starts polling. */
  async start(): Promise<void> {
    if (this.running) return;
    const mapping = await this.o.lambda.send(new GetEventSourceMappingCommand({ UUID: this.o.uuid }));
    // The mapping lives in its function's account and region.
    const [, , , region, account] = (mapping.FunctionArn ?? '').split(':');
    const res = await fetch(
      `${this.o.endpoint}/moto-api/ddbsync/mapping-poller?${new URLSearchParams({
        uuid: this.o.uuid,
        account: account ?? '',
        region: region ?? '',
      })}`,
      { method: 'POST' },
    );
    if (!res.ok) {
      throw new MappingFollowerError(
        `the local AWS did not register the poller of mapping ${this.o.uuid} (${res.status} ${await res.text()}); ` +
          'start it with startLocalAws (test/support/moto_server.py)',
      );
    }
    this.confirmUrl = (state: string) =>
      `${this.o.endpoint}/moto-api/ddbsync/mapping-state?${new URLSearchParams({
        uuid: this.o.uuid,
        account: account ?? '',
        region: region ?? '',
        state,
      })}`;
    await this.o.esm.start();
    this.running = true;
    this.loop = this.run();
  }

  private confirmUrl: (state: string) => string = () => '';

  /**
   * Resolves once a delivery that started after this call has reached the end of the stream:
   * every record written before the call has then been delivered. Waits while the mapping is
   * not Enabled; rejects after timeoutMs, or when delivery failed.
   */
  settle(timeoutMs: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new MappingFollowerError(
            `mapping ${this.o.uuid} did not deliver to the end of the stream within ${timeoutMs} ms ` +
              `(states read: ${this.states.join(' -> ') || 'none'})`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        after: this.drainsStarted,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
      this.wake?.();
    });
  }

  /** Stops polling after the delivery in progress; rethrows a delivery failure. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    if (this.failure) throw this.failure;
  }

  private async run(): Promise<void> {
    try {
      while (this.running) {
        const state = await this.readState();
        if (state === 'Disabling') await this.confirm('Disabled');
        let delivering = state === 'Enabled';
        if (state === 'Enabling') {
          await this.confirm('Enabled');
          delivering = true;
        }
        if (delivering) {
          const n = ++this.drainsStarted;
          const stats = await this.o.esm.drain();
          this.add(stats);
          this.drainsDone = n;
          this.release();
          if (stats.records > 0) continue; // more may be waiting
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    } catch (err) {
      this.failure = err;
      this.running = false;
      for (const w of this.waiters.splice(0)) w.reject(err);
    }
  }

  private async readState(): Promise<string> {
    let state: string;
    try {
      const got = await this.o.lambda.send(new GetEventSourceMappingCommand({ UUID: this.o.uuid }));
      state = got.State ?? 'unknown';
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
      state = 'Deleted';
    }
    if (this.states.at(-1) !== state) this.states.push(state);
    return state;
  }

  private async confirm(state: 'Enabled' | 'Disabled'): Promise<void> {
    const res = await fetch(this.confirmUrl(state), { method: 'POST' });
    // 409: the mapping was switched back meanwhile; the next poll sees its new state.
    if (!res.ok && res.status !== 409) {
      throw new MappingFollowerError(
        `confirming ${state} for mapping ${this.o.uuid} failed: ${res.status} ${await res.text()}`,
      );
    }
    if (res.ok && this.states.at(-1) !== state) this.states.push(state);
  }

  private add(stats: DrainStats): void {
    const t = this.totals;
    t.drains++;
    t.invocations += stats.invocations;
    t.records += stats.records;
    t.retries += stats.retries;
    t.sentToDlq += stats.sentToDlq;
    t.failureRecords += stats.failureRecords;
    if (stats.filtered !== undefined) t.filtered = (t.filtered ?? 0) + stats.filtered;
  }

  private release(): void {
    for (const w of [...this.waiters]) {
      if (this.drainsDone > w.after) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
}

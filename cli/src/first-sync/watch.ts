/**
 * Watches a first-sync execution until it ends: a snapshot every interval, drawn as one
 * progress line (rewritten in place on a terminal, a new line each time otherwise). Stopping
 * the watch (Ctrl-C) leaves the execution running on AWS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutputStream } from '../io.js';
import { type ProgressView, progressView, type Snapshot } from './model.js';
import type { FirstSyncReader } from './reader.js';
import { progressLine } from './render.js';

export interface WatchOptions {
  readonly reader: FirstSyncReader;
  readonly executionArn: string;
  /** Where progress lines go (stderr under --json, so stdout holds only the summary). */
  readonly out: OutputStream;
  readonly intervalMs: number;
  readonly signal?: AbortSignal;
  /** false: read and draw once (status without --watch). */
  readonly follow: boolean;
  readonly now?: () => Date;
}

export interface Watched {
  readonly snapshot: Snapshot;
  readonly view: ProgressView;
  /** The watch was stopped before the execution ended. */
  readonly interrupted: boolean;
}

export async function watchExecution(o: WatchOptions): Promise<Watched> {
  const now = o.now ?? (() => new Date());
  const line = progressWriter(o.out);
  for (;;) {
    const snapshot = await o.reader.snapshot(o.executionArn);
    const view = progressView(snapshot, now());
    line.draw(progressLine(view));
    if (view.outcome !== 'running' || !o.follow) {
      line.end();
      return { snapshot, view, interrupted: false };
    }
    try {
      await sleep(o.intervalMs, undefined, o.signal ? { signal: o.signal } : {});
    } catch {
      line.end();
      return { snapshot, view, interrupted: true };
    }
  }
}

/** On a terminal one line redrawn in place (cut to the width); elsewhere one line per draw. */
export function progressWriter(out: OutputStream): { draw(text: string): void; end(): void } {
  let drawn = false;
  if (!out.isTTY) return { draw: (text) => out.write(`${text}\n`), end: () => undefined };
  return {
    draw: (text) => {
      const width = out.columns && out.columns > 10 ? out.columns - 1 : undefined;
      const shown = width && text.length > width ? `${text.slice(0, width - 1)}…` : text;
      out.write(`\r\x1b[K${shown}`);
      drawn = true;
    },
    end: () => {
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}

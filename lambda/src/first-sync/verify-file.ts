import { toSdkItem } from '../attribute-values.js';
import { isHeartbeatKey } from '../heartbeat.js';
import { keyString } from '../item-keys.js';
import { VerifyStalledError } from './errors.js';
import { exportLineEntry } from './export-item.js';
import { exportLines, MAX_LINE_BYTES } from './export-lines.js';
import {
  addTally,
  type ExpectedItem,
  emptyTally,
  keysHeld,
  MAX_PART_KEYS,
  type TargetTally,
} from './verify-compare.js';

/** BatchGetItem takes at most 100 keys. */
export const KEYS_PER_BATCH = 100;

export interface VerifyFileSettings {
  /** Names the file in errors, e.g. s3://bucket/key. */
  readonly file: string;
  readonly startLine: number;
  readonly keyNames: readonly string[];
  readonly excludeAttributes: ReadonlySet<string>;
  /** Batches compared at once. */
  readonly concurrency: number;
  readonly targets: number;
  readonly maxLineBytes?: number;
  /** No batch starts once the tallies hold this many keys (MAX_PART_KEYS). */
  readonly maxKeys?: number;
}

export interface VerifyFileOutcome {
  /** Every line from startLine to the end of the file was compared. */
  readonly done: boolean;
  /** Every line before it was compared; the next invocation starts here. */
  readonly nextLine: number;
  /** Per target, in REPLICATION_TARGETS' order. */
  readonly tallies: TargetTally[];
}

/**
 * Compares an export data file's lines, from startLine, with the targets: batches of up
 * to 100 distinct keys, `concurrency` batches at once, each through `compare`. No batch
 * starts after `stopAt` or once the tallies hold `maxKeys` keys; those started are
 * finished, so every line before nextLine is compared and none after it. The canary's heartbeat items change all the time and are
 * passed over. Throws what a batch throws (after the others settle), ExportLineError for
 * a line that is not an item, and VerifyStalledError when no line could be compared in time.
 */
export async function verifyFileLines(
  source: AsyncIterable<Uint8Array>,
  settings: VerifyFileSettings,
  compare: (batch: ExpectedItem[]) => Promise<TargetTally[]>,
  timing: { readonly stopAt: number; readonly now: () => number },
): Promise<VerifyFileOutcome> {
  const tallies = Array.from({ length: settings.targets }, emptyTally);
  const sortedKeys = [...settings.keyNames].sort();
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let nextLine = settings.startLine;
  let done = true;

  const send = async (batch: ExpectedItem[]) => {
    while (inFlight.size >= settings.concurrency) await Promise.race(inFlight);
    const p: Promise<void> = compare(batch)
      .then((found) => {
        found.forEach((t, i) => {
          addTally(tallies[i] as TargetTally, t);
        });
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  let batch: ExpectedItem[] = [];
  let ids = new Set<string>();
  const lines = exportLines(source, {
    skip: settings.startLine,
    maxLineBytes: settings.maxLineBytes ?? MAX_LINE_BYTES,
    file: settings.file,
  });
  for await (const line of lines) {
    if (failure) break;
    if (
      batch.length === 0 &&
      (timing.now() >= timing.stopAt ||
        tallies.reduce((n, t) => n + keysHeld(t), 0) >= (settings.maxKeys ?? MAX_PART_KEYS))
    ) {
      done = false;
      break;
    }
    const entry = exportLineEntry(line.text, settings.keyNames, settings.excludeAttributes, {
      file: settings.file,
      line: line.index + 1,
    });
    const key = toSdkItem(entry.keyItem);
    const id = keyString(key, sortedKeys);
    // BatchGetItem refuses a key twice in one request; an export has each key once, but be safe.
    if (ids.has(id)) {
      await send(batch);
      batch = [];
      ids = new Set();
    }
    if (!isHeartbeatKey(key, settings.keyNames)) {
      batch.push({ id, key, item: toSdkItem(entry.request.PutRequest?.Item ?? {}) });
      ids.add(id);
    }
    nextLine = line.index + 1;
    if (batch.length === KEYS_PER_BATCH) {
      await send(batch);
      batch = [];
      ids = new Set();
    }
  }
  if (batch.length > 0 && !failure) await send(batch);
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  if (!done && nextLine === settings.startLine) {
    throw new VerifyStalledError(
      `${settings.file}: the invocation had no time left to compare anything from line ${settings.startLine + 1} on; give the verifier a longer timeout`,
    );
  }
  return { done, nextLine, tallies };
}

import type { EventImage, Item } from '../attribute-values.js';
import { type WriteEntry, writeEntry } from '../batch-writer.js';
import { differingAttributes, withoutAttributes } from '../item-equality.js';
import { toEventImage } from '../lambda-event.js';
import type { TableReader } from '../table-reader.js';
import type { TargetWriter } from '../target-writer.js';
import { readWithRetry, type ThrottleRetry } from './verify-read.js';

/** BatchGetItem takes at most 100 keys. */
const KEYS_PER_GET = 100;

/** A table the verifier reads: its label (account/region/table for targets) and reader. */
export interface VerifiedTable {
  readonly label: string;
  readonly reader: TableReader;
  /** Needed with repair. */
  readonly writer?: TargetWriter;
}

/** One item of the export: its key and the item (SDK form, excluded attributes left out). */
export interface ExpectedItem {
  readonly id: string;
  readonly key: Item;
  readonly item: Item;
}

/** What one target's comparison found. Keys only: nothing here holds an item's contents. */
export interface TargetTally {
  /** Keys compared. */
  compared: number;
  /** Keys whose target item differs from the source's current item, after the re-check. */
  differing: EventImage[];
  /** Keys the source has and the target lacks, after the re-check. */
  missing: EventImage[];
  /** Keys the target has and the source lacks, after the re-check (segment scans). */
  onlyInTarget: EventImage[];
  /** First-read differences gone on the re-check: changes that were being replicated. */
  settled: number;
  /** Differences whose source item changed between the re-check's reads: still moving, not counted. */
  changing: number;
  /** Counted keys that equal the source after the repair. */
  repaired: number;
  /** Why repairs failed (distinct messages, never contents). */
  repairErrors: string[];
}

/**
 * Keys an invocation records before it stops (the in-flight batches' keys on top): a
 * target lacking everything gives one key per item, so without a bound an invocation's
 * keys, held in memory until its report part is written, grow with the file (millions in
 * 15 minutes, past Lambda's memory and V8's longest string). Stopped, it is continued
 * from nextLine or its scan's last key, each invocation writing its own part. 50,000 keys
 * make a part of ~3 MB, ~12 MB read and parsed (measured): summarize reads 32 at once.
 */
export const MAX_PART_KEYS = 50_000;

/** Keys a tally holds: the differing, missing and only-in-target ones. */
export function keysHeld(tally: TargetTally): number {
  return tally.differing.length + tally.missing.length + tally.onlyInTarget.length;
}

export function emptyTally(): TargetTally {
  return {
    compared: 0,
    differing: [],
    missing: [],
    onlyInTarget: [],
    settled: 0,
    changing: 0,
    repaired: 0,
    repairErrors: [],
  };
}

export function addTally(into: TargetTally, from: TargetTally): void {
  into.compared += from.compared;
  into.differing.push(...from.differing);
  into.missing.push(...from.missing);
  into.onlyInTarget.push(...from.onlyInTarget);
  into.settled += from.settled;
  into.changing += from.changing;
  into.repaired += from.repaired;
  for (const e of from.repairErrors) if (!into.repairErrors.includes(e)) into.repairErrors.push(e);
}

export interface CompareOptions {
  readonly source: VerifiedTable;
  readonly targets: readonly VerifiedTable[];
  readonly exclude: ReadonlySet<string>;
  /** Time given to a change to be replicated before the target is read again. */
  readonly recheckDelayMs: number;
  readonly repair: boolean;
  /** Repair writes give up at this time (epoch ms). */
  readonly deadline: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * Equal byte for byte: every attribute's exact value (numbers as DynamoDB's digits, binaries
 * as bytes, sets in any order), attributes never copied left out of the source's side.
 * Two absent items are equal: a key deleted everywhere is in sync.
 */
export function sameItem(
  source: Item | undefined,
  target: Item | undefined,
  exclude: ReadonlySet<string>,
): boolean {
  if (source === undefined || target === undefined) return source === target;
  return differingAttributes(withoutAttributes(source, exclude), target).length === 0;
}

/**
 * Consistent reads of the given keys, by id, 100 keys per BatchGetItem; a throttled batch
 * backs off and is retried (readWithRetry), so a retry reads again at most 100 keys. A
 * failure names the table.
 */
export async function readKeys(
  table: VerifiedTable,
  keys: readonly Item[],
  retry: ThrottleRetry,
): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  for (let i = 0; i < keys.length; i += KEYS_PER_GET) {
    const chunk = keys.slice(i, i + KEYS_PER_GET);
    const items = await readWithRetry(
      table.label,
      'BatchGetItem',
      () => table.reader.getMany(chunk, true),
      retry,
    );
    for (const [id, item] of items) found.set(id, item);
  }
  return found;
}

/**
 * Compares a batch of export items (at most 100, distinct keys) with every target. A
 * target item that differs from the export item is only a candidate: the source's item is
 * read now, then (after the re-check delay) the target's and the source's again, and the
 * key counts only when the target still differs from the source's current item and that
 * item held still between its two reads. So a change made after the export, replicated
 * or on its way, does not count. A key the source no longer has while the target still
 * does is left to the segment scan, which counts items only in a target once.
 */
export async function compareExportBatch(
  expected: readonly ExpectedItem[],
  o: CompareOptions,
): Promise<TargetTally[]> {
  const keys = expected.map((e) => e.key);
  const copies = await Promise.all(o.targets.map((t) => readKeys(t, keys, o)));
  const candidates = copies.map((copy) =>
    expected.filter((e) => !sameItem(e.item, copy.get(e.id), new Set())),
  );
  const tallies = o.targets.map(() => ({ ...emptyTally(), compared: expected.length }));
  if (candidates.every((c) => c.length === 0)) return tallies;
  return recheck(
    candidates.map((list) => list.map((e) => ({ id: e.id, key: e.key, exported: e.item, scanned: false }))),
    tallies,
    o,
  );
}

/**
 * Keys a target's scan found that the source lacked at first read: counted as only in the
 * target when, on the re-check, the source still lacks them and the target still has them.
 */
export async function compareTargetKeys(
  targetIndex: number,
  keys: readonly Item[],
  o: CompareOptions,
): Promise<TargetTally> {
  const originals = await readKeys(o.source, keys, o);
  const absent = keys
    .map((key) => ({ id: o.source.reader.id(key), key, scanned: true }))
    .filter((k) => !originals.has(k.id));
  const tally = { ...emptyTally(), compared: keys.length };
  if (absent.length === 0) return tally;
  const others = o.targets.map((_, i) => (i === targetIndex ? absent : []));
  const tallies = await recheck(
    others,
    o.targets.map(() => emptyTally()),
    o,
  );
  const mine = tallies[targetIndex] as TargetTally;
  addTally(tally, mine);
  return tally;
}

/** A key to re-check: found by comparing an export item, or by a target's scan. */
interface Candidate {
  readonly id: string;
  readonly key: Item;
  /** The export's item, for keys found by comparing one. */
  readonly exported?: Item;
  readonly scanned: boolean;
}

async function recheck(
  candidates: readonly (readonly Candidate[])[],
  tallies: TargetTally[],
  o: CompareOptions,
): Promise<TargetTally[]> {
  const union = new Map<string, Item>();
  for (const list of candidates) for (const c of list) union.set(c.id, c.key);
  const unionKeys = [...union.values()];
  const before = await readKeys(o.source, unionKeys, o);
  // A change made before the export was replicated long ago (the export takes minutes at
  // least), so a source item still equal to the export's has nothing on its way: the wait
  // is only for items changed since, and for keys found by a scan (a delete on its way).
  // A target missing everything is then checked at full speed.
  const moving = candidates.some((list) =>
    // The export's item lacks the attributes never copied: leave them out of the source's too.
    list.some((c) => c.exported === undefined || !sameItem(before.get(c.id), c.exported, o.exclude)),
  );
  if (moving && o.recheckDelayMs > 0) await o.sleep(o.recheckDelayMs);
  const copies = await Promise.all(
    o.targets.map((t, i) =>
      readKeys(
        t,
        (candidates[i] ?? []).map((c) => c.key),
        o,
      ),
    ),
  );
  const after = await readKeys(o.source, unionKeys, o);
  const none = new Set<string>();
  await Promise.all(
    o.targets.map(async (t, i) => {
      const tally = tallies[i] as TargetTally;
      const confirmed: Item[] = [];
      for (const c of candidates[i] ?? []) {
        const original = before.get(c.id);
        const copy = (copies[i] as Map<string, Item>).get(c.id);
        if (sameItem(original, copy, o.exclude)) tally.settled++;
        else if (!sameItem(original, after.get(c.id), none)) tally.changing++;
        else if (original === undefined) {
          // Not in the source, still in the target. From an export item (deleted since the
          // export) it is left to the scan, so that it counts once.
          if (c.scanned) {
            tally.onlyInTarget.push(toEventImage(c.key));
            confirmed.push(c.key);
          } else tally.settled++;
        } else {
          (copy === undefined ? tally.missing : tally.differing).push(toEventImage(c.key));
          confirmed.push(c.key);
        }
      }
      if (o.repair && t.writer && confirmed.length > 0) {
        const { repaired, errors } = await repairKeys(t, confirmed, o);
        tally.repaired += repaired;
        tally.repairErrors.push(...errors);
      }
    }),
  );
  return tallies;
}

/** Repair and re-check rounds for keys that a newer change raced. */
const REPAIR_ROUNDS = 3;

/**
 * Makes the target's items equal the source's current ones: each round reads the source
 * again (so a repair never writes an item older than the one read last), puts it or
 * deletes the key through the replicator's writer, then reads both sides; what still
 * differs (a change raced the repair, a write failed) goes round again. Returns how many
 * keys ended equal and the distinct failure messages.
 */
export async function repairKeys(
  t: VerifiedTable,
  keys: readonly Item[],
  o: CompareOptions,
): Promise<{ repaired: number; errors: string[] }> {
  const writer = t.writer as TargetWriter;
  const errors = new Set<string>();
  let pending = [...keys];
  let repaired = 0;
  for (let round = 0; round < REPAIR_ROUNDS && pending.length > 0; round++) {
    const originals = await readKeys(o.source, pending, o);
    const entries: WriteEntry[] = pending.map((key) => {
      const keyItem = toEventImage(key);
      const original = originals.get(o.source.reader.id(key));
      return writeEntry(
        original
          ? { PutRequest: { Item: toEventImage(withoutAttributes(original, o.exclude)) } }
          : { DeleteRequest: { Key: keyItem } },
        keyItem,
      );
    });
    const result = await writer.write(entries, {
      deadline: o.deadline,
      concurrency: 4,
      now: o.now,
      sleep: o.sleep,
      ...(o.random ? { random: o.random } : {}),
    });
    for (const error of result.failed.values()) errors.add(error.message);
    const [now, copies] = await Promise.all([readKeys(o.source, pending, o), readKeys(t, pending, o)]);
    const next: Item[] = [];
    for (const key of pending) {
      const id = o.source.reader.id(key);
      if (sameItem(now.get(id), copies.get(id), o.exclude)) repaired++;
      else next.push(key);
    }
    pending = next;
  }
  return { repaired, errors: [...errors] };
}

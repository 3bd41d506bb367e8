import type { Item, TableReader, TargetWriter } from '#core';
import { differingAttributes, isHeartbeatKey, sleep, toEventImage, type WriteEntry, writeEntry } from '#core';
import { withoutExcluded } from './backfill.js';

export type DifferenceKind = 'missing' | 'extra' | 'different';

export interface Difference {
  readonly kind: DifferenceKind;
  readonly key: Item;
  /** For `different`: the top-level attributes that differ. */
  readonly attributes?: string[];
  /** The source item (without excluded attributes) for missing/different: what repair writes. */
  readonly sourceItem?: Item;
}

export interface VerifyTarget {
  readonly id: string;
  readonly reader: TableReader;
  readonly writer: TargetWriter;
}

export interface VerifyOptions {
  readonly source: TableReader;
  readonly targets: readonly VerifyTarget[];
  /** Parallel Scan segments read at once. */
  readonly segments: number;
  /** Fraction of the table to check, by Scan segment; undefined checks everything. */
  readonly sample?: number;
  readonly pageSize: number;
  readonly exclude: ReadonlySet<string>;
  readonly repair: boolean;
  /** Rounds of repair + consistent re-check before giving up on a key that keeps changing. */
  readonly repairRounds: number;
  /** Pause before the consistent re-check, so changes in flight on the stream can land. */
  readonly recheckDelayMs: number;
  readonly beforeRecheck?: (candidates: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

export interface TargetReport {
  readonly target: string;
  readonly sourceItemsChecked: number;
  readonly targetItemsChecked: number;
  /**
   * Canary heartbeat items seen (keys with the reserved prefix), in the source and the target:
   * left out of the comparison, as a heartbeat is rewritten every minute and its copy trails it.
   */
  readonly heartbeatItems: number;
  /** Keys the scans flagged that were equal when re-read consistently: changes in flight, not reported. */
  readonly settledOnRecheck: number;
  /** Differences confirmed by the consistent re-check, by kind. */
  readonly found: Record<DifferenceKind, number>;
  readonly repaired: number;
  /** Differences still there at the end (after repair, when asked for). */
  readonly remaining: readonly Difference[];
  readonly writeErrors: readonly string[];
}

/** Segments sampling reads: a random subset of a finer segmentation, or all segments. */
export function chooseSegments(
  segments: number,
  sample: number | undefined,
  random: () => number,
): { total: number; chosen: number[] } {
  if (sample === undefined || sample >= 1) return { total: segments, chosen: range(segments) };
  const total = 1000;
  const count = Math.max(1, Math.round(sample * total));
  const all = range(total);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j] as number, all[i] as number];
  }
  return { total, chosen: all.slice(0, count).sort((a, b) => a - b) };
}

/**
 * Compares the source with each target. The scans (eventually consistent, cheap) only
 * nominate candidates; every candidate is re-read with consistent reads on both sides
 * before it is reported, so a change still travelling through the stream is not a
 * difference. With repair, the source's item is put (or the extra item deleted) and the
 * key re-read again, for a few rounds, so a repair that raced a newer change is redone.
 */
export async function verifyTables(options: VerifyOptions): Promise<TargetReport[]> {
  const random = options.random ?? Math.random;
  const { total, chosen } = chooseSegments(options.segments, options.sample, random);
  const reports: TargetReport[] = [];
  for (const target of options.targets) {
    reports.push(await verifyTarget(options, target, total, chosen));
  }
  return reports;
}

/** Keys remembered between the two passes (about 100 bytes each). */
const PRESENT_KEYS_KEPT = 2_000_000;

async function verifyTarget(
  options: VerifyOptions,
  target: VerifyTarget,
  total: number,
  chosen: readonly number[],
): Promise<TargetReport> {
  const { source, exclude } = options;
  const candidates = new Map<string, Item>();
  // Keys the source pass found in both tables: the target pass need not look them up again.
  // Bounded, so a huge table costs lookups instead of memory.
  const presentInSource = new Set<string>();
  let sourceItemsChecked = 0;
  let targetItemsChecked = 0;
  let heartbeatItems = 0;
  const withoutHeartbeats = (page: Item[], reader: TableReader): Item[] => {
    const kept = page.filter((i) => !isHeartbeatKey(i, reader.keyNames));
    heartbeatItems += page.length - kept.length;
    return kept;
  };

  // Source → target: missing or different.
  await eachSegment(chosen, options.segments, async (segment) => {
    for await (const scanned of source.scanSegment(segment, total, options.pageSize)) {
      const page = withoutHeartbeats(scanned, source);
      sourceItemsChecked += page.length;
      const copies = await target.reader.getMany(
        page.map((i) => source.keyOf(i)),
        false,
      );
      for (const item of page) {
        const copy = copies.get(source.id(item));
        if (!copy || differingAttributes(withoutExcluded(item, exclude), copy).length > 0) {
          candidates.set(source.id(item), source.keyOf(item));
        } else if (presentInSource.size < PRESENT_KEYS_KEPT) {
          presentInSource.add(source.id(item));
        }
      }
    }
  });
  // Target → source: extra.
  await eachSegment(chosen, options.segments, async (segment) => {
    for await (const scanned of target.reader.scanSegment(segment, total, options.pageSize)) {
      const page = withoutHeartbeats(scanned, target.reader);
      targetItemsChecked += page.length;
      const unknown = page.filter((i) => !presentInSource.has(source.id(i)));
      const originals = await source.getMany(
        unknown.map((i) => source.keyOf(i)),
        false,
      );
      for (const item of unknown) {
        if (!originals.has(source.id(item))) candidates.set(source.id(item), source.keyOf(item));
      }
    }
  });

  await options.beforeRecheck?.(candidates.size);
  if (candidates.size > 0 && options.recheckDelayMs > 0) await sleep(options.recheckDelayMs);
  let differences = await recheck(options, target, [...candidates.values()]);
  const found: Record<DifferenceKind, number> = { missing: 0, extra: 0, different: 0 };
  for (const d of differences) found[d.kind]++;
  const settledOnRecheck = candidates.size - differences.length;

  const confirmed = differences.length;
  const writeErrors: string[] = [];
  if (options.repair) {
    for (let round = 0; round < options.repairRounds && differences.length > 0; round++) {
      await applyRepairs(options, target, differences, writeErrors);
      differences = await recheck(
        options,
        target,
        differences.map((d) => d.key),
      );
    }
  }
  const repaired = options.repair ? confirmed - differences.length : 0;
  return {
    target: target.id,
    sourceItemsChecked,
    targetItemsChecked,
    heartbeatItems,
    settledOnRecheck,
    found,
    repaired,
    remaining: differences,
    writeErrors,
  };
}

/** Re-reads keys on both sides with consistent reads and classifies what still differs. */
async function recheck(
  options: VerifyOptions,
  target: VerifyTarget,
  keys: readonly Item[],
): Promise<Difference[]> {
  if (keys.length === 0) return [];
  const [originals, copies] = await Promise.all([
    options.source.getMany(keys, true),
    target.reader.getMany(keys, true),
  ]);
  const out: Difference[] = [];
  for (const key of keys) {
    const id = options.source.id(key);
    const original = originals.get(id);
    const copy = copies.get(id);
    if (original && !copy) {
      out.push({ kind: 'missing', key, sourceItem: withoutExcluded(original, options.exclude) });
    } else if (!original && copy) {
      out.push({ kind: 'extra', key });
    } else if (original && copy) {
      const wanted = withoutExcluded(original, options.exclude);
      const attributes = differingAttributes(wanted, copy);
      if (attributes.length > 0) out.push({ kind: 'different', key, attributes, sourceItem: wanted });
    }
  }
  return out;
}

/** Puts the source's item or deletes the extra one; write errors are collected for the report. */
async function applyRepairs(
  options: VerifyOptions,
  target: VerifyTarget,
  differences: readonly Difference[],
  writeErrors: string[],
): Promise<void> {
  const entries: WriteEntry[] = differences.map((d) => {
    const key = toEventImage(d.key);
    return writeEntry(
      d.sourceItem ? { PutRequest: { Item: toEventImage(d.sourceItem) } } : { DeleteRequest: { Key: key } },
      key,
    );
  });
  const now = options.now ?? Date.now;
  const result = await target.writer.write(entries, { deadline: now() + 120_000, concurrency: 4, now });
  for (const error of new Set([...result.failed.values()].map((e) => e.message))) {
    if (!writeErrors.includes(error)) writeErrors.push(error);
  }
}

async function eachSegment(
  segments: readonly number[],
  parallel: number,
  work: (segment: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < segments.length) await work(segments[next++] as number);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, segments.length) }, worker));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

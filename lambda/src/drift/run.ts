import type { Item } from '../attribute-values.js';
import { type WriteEntry, writeEntry } from '../batch-writer.js';
import { isHeartbeatKey } from '../heartbeat.js';
import { withoutAttributes } from '../item-equality.js';
import { toEventImage } from '../lambda-event.js';
import type { TableReader } from '../table-reader.js';
import type { TargetWriter } from '../target-writer.js';
import { type Difference, type DriftKind, difference, itemState } from './compare.js';
import type { DriftConfig } from './config.js';
import { type Sample, sampleTable } from './sample.js';

export interface DriftTarget {
  /** The Target dimension: `<account>/<region>/<table>`. */
  readonly label: string;
  readonly reader: TableReader;
  /** Needed when repair is on. */
  readonly writer?: TargetWriter;
}

export interface DriftRunOptions {
  readonly source: TableReader;
  readonly targets: readonly DriftTarget[];
  readonly config: Pick<
    DriftConfig,
    | 'excludeAttributes'
    | 'skipTtlDeletes'
    | 'sampleItems'
    | 'sampleTotalSegments'
    | 'recheckDelayMs'
    | 'repair'
  >;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  /** No Scan page is read after this time (epoch ms). */
  readonly sampleDeadline: number;
  /** Repair writes give up at this time. */
  readonly deadline: number;
}

export interface DriftedItem {
  readonly kind: DriftKind;
  readonly key: Item;
  readonly attributes?: string[];
  /** With repair: the target equals the source after the repair. */
  readonly repaired?: boolean;
}

export interface TargetDrift {
  readonly target: string;
  /** Distinct keys compared: the source's sample, and the target's items the source sample lacked. */
  readonly sampledKeys: number;
  /** Keys the first reads found different. */
  readonly candidates: number;
  /** Candidates equal on the re-check: changes that were in flight. */
  readonly settledOnRecheck: number;
  /** Candidates whose source item changed between the reads: still being written, not reported. */
  readonly changingOnRecheck: number;
  /** Items only in the target, expected with SKIP_TTL_DELETES, not reported. */
  readonly onlyInTargetExpected: number;
  /** Differences that persisted through the re-check: the drift. */
  readonly drifted: DriftedItem[];
  readonly repaired: number;
  readonly repairErrors: string[];
  /** Set when the target could not be checked; nothing else is then meaningful. */
  readonly error?: Error;
}

export interface DriftRun {
  readonly sourceSampled: number;
  readonly heartbeatsSkipped: number;
  /** The source sample covered every segment: the whole table was compared. */
  readonly wholeTable: boolean;
  readonly targets: TargetDrift[];
}

/** Repair and re-check rounds for items that a newer change raced. */
const REPAIR_ROUNDS = 3;

interface Candidate {
  readonly key: Item;
  /** itemState of the source item as first read. */
  readonly firstSource: string;
}

interface FirstPass {
  readonly sampledKeys: number;
  readonly candidates: Map<string, Candidate>;
  readonly onlyInTargetExpected: number;
}

interface Confirmed extends Difference {
  readonly key: Item;
  readonly source?: Item;
}

/**
 * One drift run. The source is sampled once; each target is read for the sampled keys
 * with consistent reads and sampled itself (for items the source no longer has). What
 * differs is only a candidate: after the re-check delay, both sides are read again with
 * consistent reads, and a difference counts when it persists and the source item did not
 * change meanwhile (a change still being written and replicated is not drift). Confirmed
 * drift is repaired when asked: the source's item put, or the extra item deleted.
 */
export async function runDrift(o: DriftRunOptions): Promise<DriftRun> {
  const skip = (item: Item) => isHeartbeatKey(item, o.source.keyNames);
  const sample = await sampleTable(o.source, sampleOptions(o, skip));
  const passes = await Promise.all(o.targets.map((t) => settle(firstPass(o, t, sample, skip))));
  if (o.config.recheckDelayMs > 0 && passes.some((p) => 'value' in p && p.value.candidates.size > 0)) {
    await o.sleep(o.config.recheckDelayMs);
  }
  const targets = await Promise.all(
    o.targets.map(async (t, i): Promise<TargetDrift> => {
      const pass = passes[i] as Settled<FirstPass>;
      const result = 'value' in pass ? await settle(recheckAndRepair(o, t, pass.value)) : pass;
      return 'value' in result ? result.value : failed(t, result.error);
    }),
  );
  return {
    sourceSampled: sample.items.length,
    heartbeatsSkipped: sample.skipped,
    wholeTable: sample.wholeTable,
    targets,
  };
}

function sampleOptions(o: DriftRunOptions, skip: (item: Item) => boolean) {
  return {
    items: o.config.sampleItems,
    totalSegments: o.config.sampleTotalSegments,
    skip,
    random: o.random,
    now: o.now,
    deadline: o.sampleDeadline,
  };
}

async function firstPass(
  o: DriftRunOptions,
  t: DriftTarget,
  sample: Sample,
  skip: (item: Item) => boolean,
): Promise<FirstPass> {
  const exclude = o.config.excludeAttributes;
  const candidates = new Map<string, Candidate>();
  const sampled = new Set<string>();
  // Source → target: missing or different.
  const copies = await t.reader.getMany(
    sample.items.map((i) => o.source.keyOf(i)),
    true,
  );
  for (const item of sample.items) {
    const id = o.source.id(item);
    sampled.add(id);
    if (difference(item, copies.get(id), exclude)) {
      candidates.set(id, { key: o.source.keyOf(item), firstSource: itemState(item) });
    }
  }
  // Target → source: what the source sample did not cover, extra items above all.
  const targetSample = await sampleTable(t.reader, sampleOptions(o, skip));
  const unknown = targetSample.items.filter((i) => !sampled.has(o.source.id(i)));
  const originals = await o.source.getMany(
    unknown.map((i) => o.source.keyOf(i)),
    true,
  );
  let onlyInTargetExpected = 0;
  for (const copy of unknown) {
    const id = o.source.id(copy);
    const original = originals.get(id);
    const d = difference(original, copy, exclude);
    if (!d) continue;
    if (d.kind === 'extra' && o.config.skipTtlDeletes) onlyInTargetExpected++;
    else candidates.set(id, { key: o.source.keyOf(copy), firstSource: itemState(original) });
  }
  return { sampledKeys: sampled.size + unknown.length, candidates, onlyInTargetExpected };
}

async function recheckAndRepair(o: DriftRunOptions, t: DriftTarget, pass: FirstPass): Promise<TargetDrift> {
  const keys = [...pass.candidates.values()].map((c) => c.key);
  const [originals, copies] = await Promise.all([o.source.getMany(keys, true), t.reader.getMany(keys, true)]);
  let settledOnRecheck = 0;
  let changingOnRecheck = 0;
  let onlyInTargetExpected = pass.onlyInTargetExpected;
  const confirmed: Confirmed[] = [];
  for (const [id, candidate] of pass.candidates) {
    const original = originals.get(id);
    const d = difference(original, copies.get(id), o.config.excludeAttributes);
    if (!d) settledOnRecheck++;
    else if (itemState(original) !== candidate.firstSource) changingOnRecheck++;
    else if (d.kind === 'extra' && o.config.skipTtlDeletes) onlyInTargetExpected++;
    else confirmed.push({ ...d, key: candidate.key, ...(original ? { source: original } : {}) });
  }
  const repair =
    o.config.repair && t.writer && confirmed.length > 0 ? await repairAll(o, t, confirmed) : undefined;
  const drifted = confirmed.map(
    (c): DriftedItem => ({
      kind: c.kind,
      key: c.key,
      ...(c.attributes ? { attributes: c.attributes } : {}),
      ...(repair ? { repaired: repair.repaired.has(o.source.id(c.key)) } : {}),
    }),
  );
  return {
    target: t.label,
    sampledKeys: pass.sampledKeys,
    candidates: pass.candidates.size,
    settledOnRecheck,
    changingOnRecheck,
    onlyInTargetExpected,
    drifted,
    repaired: repair?.repaired.size ?? 0,
    repairErrors: repair?.errors ?? [],
  };
}

/**
 * Writes the source's items (or deletes extra ones) and reads both sides again; what
 * still differs (a newer change raced the repair, or a write failed) is repaired again
 * from the source's newest item, for a few rounds.
 */
async function repairAll(
  o: DriftRunOptions,
  t: DriftTarget,
  confirmed: readonly Confirmed[],
): Promise<{ repaired: Set<string>; errors: string[] }> {
  const writer = t.writer as TargetWriter;
  const repaired = new Set<string>();
  const errors = new Set<string>();
  let pending = confirmed;
  for (let round = 0; round < REPAIR_ROUNDS && pending.length > 0; round++) {
    const entries: WriteEntry[] = pending.map((c) => {
      const key = toEventImage(c.key);
      return writeEntry(
        c.source
          ? { PutRequest: { Item: toEventImage(withoutAttributes(c.source, o.config.excludeAttributes)) } }
          : { DeleteRequest: { Key: key } },
        key,
      );
    });
    const result = await writer.write(entries, {
      deadline: o.deadline,
      concurrency: 4,
      now: o.now,
      sleep: o.sleep,
      random: o.random,
    });
    for (const error of result.failed.values()) errors.add(error.message);
    const keys = pending.map((c) => c.key);
    const [originals, copies] = await Promise.all([
      o.source.getMany(keys, true),
      t.reader.getMany(keys, true),
    ]);
    const next: Confirmed[] = [];
    for (const c of pending) {
      const id = o.source.id(c.key);
      const original = originals.get(id);
      const d = difference(original, copies.get(id), o.config.excludeAttributes);
      if (!d) repaired.add(id);
      else next.push({ ...d, key: c.key, ...(original ? { source: original } : {}) });
    }
    pending = next;
  }
  return { repaired, errors: [...errors] };
}

function failed(t: DriftTarget, error: Error): TargetDrift {
  return {
    target: t.label,
    sampledKeys: 0,
    candidates: 0,
    settledOnRecheck: 0,
    changingOnRecheck: 0,
    onlyInTargetExpected: 0,
    drifted: [],
    repaired: 0,
    repairErrors: [],
    error,
  };
}

type Settled<T> = { value: T } | { error: Error };

/** One target's failure must not stop the others: its error is kept and reported. */
async function settle<T>(work: Promise<T>): Promise<Settled<T>> {
  try {
    return { value: await work };
  } catch (err) {
    return { error: err instanceof Error ? err : new Error(String(err)) };
  }
}

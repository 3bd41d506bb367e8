import type { Item } from '../attribute-values.js';
import type { TableReader } from '../table-reader.js';

/**
 * The numbers 0..n-1 in random order, drawn one at a time: a Fisher-Yates shuffle that
 * keeps only the swapped positions, so picking a few of a million segments costs a few entries.
 */
export function* randomOrder(n: number, random: () => number): Generator<number> {
  const swapped = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (n - i));
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    swapped.delete(i);
    yield atJ;
  }
}

export interface SampleOptions {
  /** Items wanted (heartbeats not counted). */
  readonly items: number;
  readonly totalSegments: number;
  /** Items the sample leaves out (canary heartbeats). */
  readonly skip: (item: Item) => boolean;
  readonly random: () => number;
  readonly now: () => number;
  /** No new page is read after this time (epoch ms). */
  readonly deadline: number;
}

export interface Sample {
  readonly items: Item[];
  /** Segments read, in full or until the sample was complete. */
  readonly segments: number;
  /** Items left out by `skip`. */
  readonly skipped: number;
  /** True when every segment was read: the sample is the whole table. */
  readonly wholeTable: boolean;
}

/**
 * Samples a table: segments of a parallel Scan in random order, each read page by page
 * from its start, until enough items are in (the last page asks only for what is missing)
 * or the deadline passes. The reader paces the reads to the read-capacity cap.
 */
export async function sampleTable(reader: TableReader, options: SampleOptions): Promise<Sample> {
  const items: Item[] = [];
  let segments = 0;
  let skipped = 0;
  let finished = 0;
  for (const segment of randomOrder(options.totalSegments, options.random)) {
    if (items.length >= options.items || options.now() >= options.deadline) break;
    segments++;
    let start: Item | undefined;
    do {
      const page = await reader.scanPage(
        segment,
        options.totalSegments,
        Math.min(1000, options.items - items.length),
        start,
      );
      for (const item of page.items) {
        if (options.skip(item)) skipped++;
        else items.push(item);
      }
      start = page.lastKey;
    } while (start && items.length < options.items && options.now() < options.deadline);
    if (!start) finished++;
  }
  return { items, segments, skipped, wholeTable: finished === options.totalSegments };
}

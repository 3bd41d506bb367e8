/**
 * Export data files for the loader's tests: items of every type in DynamoDB's JSON wire
 * form, one `{"Item":{...}}` per line as a full DYNAMODB_JSON export writes them, and
 * gzip-compressed. A fake target table behind the real batch writer, whose clock the
 * tests own, receives them.
 */
import { gzipSync } from 'node:zlib';
import type { EventImage } from '../../../lambda/src/attribute-values.js';
import {
  type BatchWriteRequest,
  type WireWriteRequest,
  writeBatches,
} from '../../../lambda/src/batch-writer.js';
import type { TargetWriter } from '../../../lambda/src/target-writer.js';
import { largeAttributes, trickyItems } from '../../support/fixtures.js';
import { FakeClock, ServiceError } from '../fake-table.js';
import { eventImageOf } from '../records.js';

export { FakeClock, ServiceError };

/** Items keyed pk (S) / sk (N): every type in its awkward forms, a 350 KB item, then plain ones. */
export function exportItems(plain: number): EventImage[] {
  const items: EventImage[] = trickyItems('tricky').map(eventImageOf);
  items.push(eventImageOf({ pk: { S: 'large-350' }, sk: { N: '1' }, ...largeAttributes(350_000) }));
  for (let i = 0; i < plain; i++) {
    items.push({
      pk: { S: `plain-${i % 97}` },
      sk: { N: String(i) },
      n: { N: `${i}.${i}` },
      empty: { S: '' },
      bin: { B: Buffer.from([i % 256, 0, 255]).toString('base64') },
      list: { L: [{ M: { at: { N: String(i) } } }, { NULL: true }] },
    });
  }
  return items;
}

/** One line of a DYNAMODB_JSON export; `spaced` as moto writes them (", " and ": "). */
export function exportLine(item: EventImage, spaced = false): string {
  const text = JSON.stringify({ Item: item });
  // Structural separators only: inside JSON strings a newline is always escaped.
  return spaced ? JSON.stringify({ Item: item }, null, 1).replace(/\n */g, ' ') : text;
}

export function exportText(items: readonly EventImage[], options: { spaced?: boolean } = {}): string {
  return items.map((item, i) => `${exportLine(item, options.spaced === true && i % 2 === 0)}\n`).join('');
}

export function gzipExport(items: readonly EventImage[], options: { spaced?: boolean } = {}): Buffer {
  return gzipSync(Buffer.from(exportText(items, options)));
}

/** Chunks of `size` bytes, as a stream would deliver them (cutting lines and characters anywhere). */
export async function* chunked(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, Math.min(data.length, i + size));
}

/** The identity of an item's key: pk and sk as they are in the wire form. */
export const keyOf = (item: EventImage): string => JSON.stringify([item.pk, item.sk]);

export interface FakeTargetOptions {
  /** Virtual milliseconds each BatchWriteItem takes. */
  readonly roundTripMs?: number;
  /** An error to throw for a request (decided from its items), or undefined to apply it. */
  readonly refuse?: (items: EventImage[]) => Error | undefined;
}

/**
 * A target table behind the replicator's real batch writer: the request body is parsed as
 * DynamoDB would, and each put stored as the exact JSON text of its item, by key.
 */
export class FakeTarget {
  /** Key → JSON text of the item as last put. */
  readonly items = new Map<string, string>();
  /** Puts received per key, retries included. */
  readonly puts = new Map<string, number>();
  requests = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly id: string,
    readonly clock: FakeClock,
    readonly options: FakeTargetOptions = {},
  ) {}

  send = async (request: BatchWriteRequest) => {
    this.requests++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await Promise.resolve();
      this.clock.ms += this.options.roundTripMs ?? 0;
      const body = JSON.parse(request.body) as { RequestItems: Record<string, WireWriteRequest[]> };
      const puts = (body.RequestItems[request.tableName] ?? []).map((r) => r.PutRequest?.Item as EventImage);
      const refusal = this.options.refuse?.(puts);
      if (refusal) throw refusal;
      for (const item of puts) {
        this.items.set(keyOf(item), JSON.stringify(item));
        this.puts.set(keyOf(item), (this.puts.get(keyOf(item)) ?? 0) + 1);
      }
      return { UnprocessedItems: {} };
    } finally {
      this.inFlight--;
    }
  };

  writer(): TargetWriter {
    return {
      id: this.id,
      write: (entries, options) => writeBatches(this.send, this.id.split('@')[0] as string, entries, options),
    };
  }
}

/** What every target must hold after loading `items`: each item's exact JSON text, by key. */
export function expectedTable(items: readonly EventImage[]): Map<string, string> {
  return new Map(items.map((item) => [keyOf(item), JSON.stringify(item)]));
}

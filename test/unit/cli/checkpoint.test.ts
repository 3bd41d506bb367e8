/** The backfill checkpoint file: what a resumed run reads back, and which files it refuses. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BackfillCheckpoint,
  freshCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from '../../../cli/src/checkpoint.js';
import { CheckpointError } from '../../../cli/src/errors.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ddbsync-checkpoint-'));
  path = join(dir, 'backfill.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const progress = (): BackfillCheckpoint => ({
  table: 'orders',
  segments: [
    { done: true, copied: 1200 },
    {
      done: false,
      copied: 37,
      lastEvaluatedKey: {
        pk: { S: 'customer#7' },
        sk: { N: '12345678901234567890123456789012345678' },
        blob: { B: Uint8Array.from([0, 255, 7]) },
      },
    },
    { done: false, copied: 0 },
  ],
});

/** Writes a checkpoint file by hand: what a user (or another version) might leave there. */
const writeFile = (content: unknown) =>
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
/** The file saveCheckpoint writes, as JSON, for tests that spoil one field of it. */
function savedFile(): { segments: unknown[] } & Record<string, unknown> {
  saveCheckpoint(path, progress());
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('freshCheckpoint', () => {
  it('has every segment to do and nothing copied', () => {
    expect(freshCheckpoint('orders', 3)).toEqual({
      table: 'orders',
      segments: [
        { done: false, copied: 0 },
        { done: false, copied: 0 },
        { done: false, copied: 0 },
      ],
    });
  });
});

describe('saveCheckpoint and loadCheckpoint', () => {
  it('finds no checkpoint where there is no file', () => {
    expect(loadCheckpoint(path, 'orders', 3)).toBeUndefined();
  });

  it('reads back what was saved: progress per segment and each resume key, numbers and bytes exact', () => {
    saveCheckpoint(path, progress());
    const loaded = loadCheckpoint(path, 'orders', 3);
    expect(loaded?.segments.map((s) => [s.done, s.copied])).toEqual([
      [true, 1200],
      [false, 37],
      [false, 0],
    ]);
    expect(loaded?.segments[0]?.lastEvaluatedKey).toBeUndefined();
    const key = loaded?.segments[1]?.lastEvaluatedKey;
    expect(key?.pk).toEqual({ S: 'customer#7' });
    expect(key?.sk).toEqual({ N: '12345678901234567890123456789012345678' });
    expect([...(key?.blob?.B ?? [])]).toEqual([0, 255, 7]);
  });

  it('replaces the previous checkpoint whole and leaves no temporary file behind', () => {
    saveCheckpoint(path, progress());
    const later = progress();
    later.segments[2] = { done: true, copied: 10 };
    saveCheckpoint(path, later);
    expect(readdirSync(dir)).toEqual(['backfill.json']);
    expect(loadCheckpoint(path, 'orders', 3)?.segments[2]).toEqual({ done: true, copied: 10 });
  });

  it('refuses a checkpoint of another table', () => {
    saveCheckpoint(path, progress());
    expect(() => loadCheckpoint(path, 'invoices', 3)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(path, 'invoices', 3)).toThrow('is for table "orders", not "invoices"');
  });

  it('refuses a checkpoint made with another --segments, naming the value to rerun with', () => {
    saveCheckpoint(path, progress());
    expect(() => loadCheckpoint(path, 'orders', 4)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(path, 'orders', 4)).toThrow('was made with --segments 3');
  });

  it.each([
    ['an empty file', ''],
    ['a half-written file', '{"version":1,"table":"orders","segm'],
  ])('refuses %s as not valid JSON', (_what, text) => {
    writeFile(text);
    expect(() => loadCheckpoint(path, 'orders', 3)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(path, 'orders', 3)).toThrow('not valid JSON');
  });

  type Spoil = (saved: ReturnType<typeof savedFile>) => unknown;
  it.each<[string, Spoil]>([
    ['JSON null', () => 'null'],
    ['a JSON list', () => '[]'],
    ['another program’s JSON', () => ({ name: 'orders' })],
    ['another file version', (saved) => ({ ...saved, version: 2 })],
    // Resuming it would skip the segments it lost and still report the backfill complete.
    [
      'a segment list shorter than its segment count',
      (saved) => ({ ...saved, segments: saved.segments.slice(1) }),
    ],
  ])('refuses %s as not a backfill checkpoint', (_what, spoil) => {
    writeFile(spoil(savedFile()));
    expect(() => loadCheckpoint(path, 'orders', 3)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(path, 'orders', 3)).toThrow('not a ddbsync backfill checkpoint');
  });

  it('reports a path it cannot read as a checkpoint error, not a missing file', () => {
    mkdirSync(path);
    expect(() => loadCheckpoint(path, 'orders', 3)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(path, 'orders', 3)).toThrow('cannot read');
  });
});

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type Item, toEventImage, toSdkItem } from '#core';
import { CheckpointError } from './errors.js';

export interface SegmentProgress {
  /** Where the next Scan page of this segment starts; absent before the first page. */
  lastEvaluatedKey?: Item;
  done: boolean;
  /** Items of this segment written to every target so far (all runs). */
  copied: number;
}

export interface BackfillCheckpoint {
  table: string;
  segments: SegmentProgress[];
}

interface CheckpointFile {
  version: 1;
  table: string;
  totalSegments: number;
  segments: { lastEvaluatedKey?: Record<string, unknown>; done: boolean; copied: number }[];
  updatedAt: string;
}

export function freshCheckpoint(table: string, totalSegments: number): BackfillCheckpoint {
  return { table, segments: Array.from({ length: totalSegments }, () => ({ done: false, copied: 0 })) };
}

/**
 * Loads a checkpoint, or undefined when the file does not exist. A checkpoint of
 * another table or segment count is refused: resuming it would skip or repeat items.
 */
export function loadCheckpoint(
  path: string,
  table: string,
  totalSegments: number,
): BackfillCheckpoint | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CheckpointError(`checkpoint ${path}: cannot read (${(err as Error).message})`, { cause: err });
  }
  let file: CheckpointFile | null;
  try {
    file = JSON.parse(text) as CheckpointFile | null;
  } catch (err) {
    throw new CheckpointError(`checkpoint ${path}: not valid JSON; delete it to start over`, { cause: err });
  }
  // A segment list that disagrees with its count would resume some segments and skip the rest.
  if (file?.version !== 1 || !Array.isArray(file.segments) || file.segments.length !== file.totalSegments) {
    throw new CheckpointError(`checkpoint ${path}: not a ddbsync backfill checkpoint`);
  }
  if (file.table !== table) {
    throw new CheckpointError(`checkpoint ${path} is for table "${file.table}", not "${table}"`);
  }
  if (file.totalSegments !== totalSegments) {
    throw new CheckpointError(
      `checkpoint ${path} was made with --segments ${file.totalSegments}; rerun with that value (or delete it to start over)`,
    );
  }
  return {
    table,
    segments: file.segments.map((s) => ({
      done: s.done,
      copied: s.copied,
      ...(s.lastEvaluatedKey ? { lastEvaluatedKey: toSdkItem(s.lastEvaluatedKey, 'lastEvaluatedKey') } : {}),
    })),
  };
}

/** Writes the whole checkpoint to a temporary file and renames it over the old one: never half-written. */
export function saveCheckpoint(path: string, checkpoint: BackfillCheckpoint): void {
  const file: CheckpointFile = {
    version: 1,
    table: checkpoint.table,
    totalSegments: checkpoint.segments.length,
    segments: checkpoint.segments.map((s) => ({
      done: s.done,
      copied: s.copied,
      ...(s.lastEvaluatedKey ? { lastEvaluatedKey: toEventImage(s.lastEvaluatedKey) } : {}),
    })),
    updatedAt: new Date().toISOString(),
  };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(tmp, path);
}

/** The first sync's progress line, final summary (text and JSON) and the verify result's tables. */
import { type ProgressView, plural, readableCause } from './model.js';

/** One line: phase, export state, files, items, rate, ETA, stream budget, failed files. */
export function progressLine(v: ProgressView): string {
  const parts = [v.phase];
  if (v.exportState) parts.push(`export ${v.exportState}`);
  if (v.files) {
    parts.push(
      `files ${v.files.done}/${v.files.total} done${v.files.failed ? `, ${v.files.failed} failed` : ''}`,
    );
  }
  for (const r of v.laterRuns) {
    parts.push(`${r.name} ${r.done}/${r.total} done${r.failed ? `, ${r.failed} failed` : ''}`);
  }
  if (v.itemsWritten !== undefined) {
    const total = v.itemsTotal !== undefined ? `/${count(v.itemsTotal)}` : '';
    parts.push(
      `${count(v.itemsWritten)}${v.itemsPartial ? '+' : ''}${total} items${v.verify ? ' compared' : ''}`,
    );
  } else if (v.itemsTotal !== undefined) {
    parts.push(`${count(v.itemsTotal)} items exported`);
  }
  if (v.itemsPerSecond !== undefined) parts.push(`${count(Math.round(v.itemsPerSecond))} items/s`);
  if (v.outcome === 'running' && v.files)
    parts.push(`ETA ${v.etaSeconds === undefined ? '?' : duration(v.etaSeconds)}`);
  for (const i of v.imports) {
    parts.push(`import ${i.table} ${i.status}${i.items !== undefined ? ` (${count(i.items)} items)` : ''}`);
  }
  if (v.budget) {
    const warn = v.budget.etaPastDeadline ? ' (ETA past it!)' : '';
    parts.push(`stream: ${hours(v.budget.hoursLeft)} of 24 h left${warn}`);
  }
  if (v.failedFiles.length > 0) {
    const [first] = v.failedFiles;
    const more = v.failedFiles.length > 1 ? ` (+${v.failedFiles.length - 1} more)` : '';
    parts.push(`failed: ${first?.key}: ${first?.reason}${more}`);
  }
  return parts.join(' | ');
}

/** The end of a run in words: done, or what failed and why, each failed file with its reason. */
export function finalText(v: ProgressView, executionArn: string, what = 'first sync'): string {
  const lines: string[] = [];
  const took = duration(v.elapsedSeconds);
  if (v.outcome === 'succeeded') {
    const files = v.files ? `${v.files.done}/${v.files.total} files, ` : '';
    const items =
      v.itemsWritten !== undefined
        ? `${count(v.itemsWritten)} items ${v.verify ? 'compared' : 'written'}, `
        : '';
    const rate =
      v.itemsPerSecond !== undefined
        ? ` (${count(Math.round(v.itemsPerSecond))} items/s while ${v.verify ? 'comparing' : 'loading'})`
        : '';
    const imports = v.imports.length
      ? `imports ${v.imports.map((i) => `${i.table} ${i.status}${i.items !== undefined ? ` ${count(i.items)} items` : ''}`).join(', ')}, `
      : '';
    const budget = v.budget ? `; ${hours(v.budget.hoursLeft)} of the stream's 24 h were left` : '';
    lines.push(`${what} done: ${files}${imports}${items}in ${took}${rate}${budget}`);
  } else if (v.outcome === 'running') {
    lines.push(`${what} running for ${took}: ${progressLine(v)}`);
  } else {
    const why =
      v.executionStatus === 'SUCCEEDED'
        ? `the execution SUCCEEDED but ${v.problems.join(', ')}`
        : `the execution ${v.executionStatus}${v.error ? `: ${v.error}` : ''}${v.cause ? `: ${oneLine(readableCause(v.cause))}` : ''}`;
    lines.push(`${what} FAILED after ${took}: ${why}`);
    if (v.files) {
      lines.push(`files: ${v.files.done}/${v.files.total} done, ${v.files.failed} failed`);
    }
    for (const i of v.imports.filter((x) => x.status !== 'COMPLETED')) {
      lines.push(`import into ${i.table}: ${i.status}${i.failure ? `: ${i.failure}` : ''}`);
    }
  }
  if (v.failedFiles.length > 0) {
    lines.push(`failed ${plural(v.failedFiles.length, 'file')}:`);
    for (const f of v.failedFiles) lines.push(`  ${f.key}: ${f.reason}`);
  }
  lines.push(`execution: ${executionArn}`);
  return `${lines.join('\n')}\n`;
}

/** The machine-readable summary of `--json`. */
export function summaryJson(v: ProgressView, executionArn: string, result?: VerifyResult): object {
  return {
    executionArn,
    outcome: v.outcome,
    executionStatus: v.executionStatus,
    phase: v.phase,
    ...(v.exportState ? { exportState: v.exportState } : {}),
    ...(v.files ? { files: v.files } : {}),
    ...(v.itemsWritten !== undefined ? { itemsWritten: v.itemsWritten } : {}),
    ...(v.itemsTotal !== undefined ? { itemsExported: v.itemsTotal } : {}),
    ...(v.itemsPerSecond !== undefined ? { itemsPerSecond: Math.round(v.itemsPerSecond) } : {}),
    elapsedSeconds: Math.round(v.elapsedSeconds),
    ...(v.budget
      ? {
          stream: {
            exportTime: v.budget.t0.toISOString(),
            deadline: v.budget.deadline.toISOString(),
            hoursLeft: Math.round(v.budget.hoursLeft * 10) / 10,
          },
        }
      : {}),
    failedFiles: v.failedFiles,
    imports: v.imports,
    problems: v.problems,
    ...(v.error ? { error: v.error } : {}),
    ...(v.cause ? { cause: v.cause } : {}),
    ...(result ? { result } : {}),
  };
}

/** What the verify run's summarizer returns as the execution's output. */
export interface VerifyTargetResult {
  readonly target: unknown;
  readonly compared?: number;
  readonly differing?: number;
  readonly missingInTarget?: number;
  readonly onlyInTarget?: number;
  readonly repaired?: number;
}
export interface VerifyResult {
  readonly targets: readonly VerifyTargetResult[];
  readonly differences?: number;
  readonly report?: string;
}

export function parseVerifyResult(output: string | undefined): VerifyResult | undefined {
  try {
    const v = JSON.parse(output ?? '') as Partial<VerifyResult>;
    return Array.isArray(v?.targets) ? (v as VerifyResult) : undefined;
  } catch {
    return undefined;
  }
}

/** Differences the verify found and did not repair (0: every target equals the source). */
export function unrepaired(r: VerifyResult): number {
  return r.targets.reduce((n, t) => {
    const found = (t.differing ?? 0) + (t.missingInTarget ?? 0) + (t.onlyInTarget ?? 0);
    return n + Math.max(0, found - (t.repaired ?? 0));
  }, 0);
}

/** A table per target, then the report's location. */
export function verifyText(r: VerifyResult): string {
  const head = ['target', 'compared', 'differing', 'missing in target', 'only in target', 'repaired'];
  const rows = r.targets.map((t) => [
    targetName(t.target),
    ...[t.compared, t.differing, t.missingInTarget, t.onlyInTarget, t.repaired].map((n) => count(n ?? 0)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  const out = [line(head), ...rows.map(line)];
  const left = unrepaired(r);
  out.push(
    left === 0
      ? 'every target equals the source'
      : `${plural(left, 'difference')} not repaired (run again with --repair to repair them)`,
  );
  if (r.report) out.push(`report (differing keys): ${r.report}`);
  return `${out.join('\n')}\n`;
}

function targetName(t: unknown): string {
  if (typeof t === 'string') return t;
  const o = (t ?? {}) as { tableName?: unknown; region?: unknown };
  if (typeof o.tableName === 'string')
    return `${o.tableName}${typeof o.region === 'string' ? `@${o.region}` : ''}`;
  return JSON.stringify(t);
}

/** 1234567 -> "1,234,567". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Seconds as "12s", "4m 10s", "3h 05m", "2d 4h". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

function hours(h: number): string {
  return `${h.toFixed(1)} h`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

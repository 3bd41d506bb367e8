import { writeFileSync } from 'node:fs';
import { HEARTBEAT_PREFIX, toEventImage } from '#core';
import type { TargetReport } from './verify.js';

/** The machine-readable report of `verify --report`: keys in DynamoDB JSON, binaries in base64. */
export function reportJson(
  sourceTable: string,
  sample: number | undefined,
  repair: boolean,
  reports: readonly TargetReport[],
) {
  return {
    sourceTable,
    checkedAt: new Date().toISOString(),
    sample: sample ?? 1,
    repair,
    equal: reports.every((r) => r.remaining.length === 0),
    targets: reports.map((r) => ({
      target: r.target,
      sourceItemsChecked: r.sourceItemsChecked,
      targetItemsChecked: r.targetItemsChecked,
      heartbeatItemsSkipped: r.heartbeatItems,
      settledOnRecheck: r.settledOnRecheck,
      found: r.found,
      repaired: r.repaired,
      writeErrors: r.writeErrors,
      differences: r.remaining.map((d) => ({
        kind: d.kind,
        key: toEventImage(d.key),
        ...(d.attributes ? { attributes: d.attributes } : {}),
      })),
    })),
  };
}

export function writeReport(path: string, report: ReturnType<typeof reportJson>): void {
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** The human summary: one line per target, then the first differences. */
export function summaryLines(reports: readonly TargetReport[], repair: boolean, maxListed: number): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    const { missing, extra, different } = r.found;
    lines.push(
      `${r.target}: ${missing} missing, ${extra} extra, ${different} different ` +
        `(checked ${r.sourceItemsChecked} source and ${r.targetItemsChecked} target items` +
        `${r.settledOnRecheck > 0 ? `; ${r.settledOnRecheck} in-flight changes settled on re-check` : ''})`,
    );
    if (r.heartbeatItems > 0) {
      lines.push(
        `  ${r.heartbeatItems} canary heartbeat item${r.heartbeatItems === 1 ? '' : 's'} ` +
          `(keys starting with ${HEARTBEAT_PREFIX}) not compared`,
      );
    }
    if (repair && missing + extra + different > 0) {
      lines.push(`  repaired ${r.repaired}, ${r.remaining.length} remain`);
    }
    for (const e of r.writeErrors) lines.push(`  write error: ${e}`);
    for (const d of r.remaining.slice(0, maxListed)) {
      lines.push(
        `  ${d.kind.padEnd(9)} ${JSON.stringify(toEventImage(d.key))}${d.attributes ? ` attributes: ${d.attributes.join(', ')}` : ''}`,
      );
    }
    if (r.remaining.length > maxListed)
      lines.push(`  ... and ${r.remaining.length - maxListed} more (see --report)`);
  }
  return lines;
}

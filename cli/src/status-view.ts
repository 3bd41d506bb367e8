import { formatMs, type ReplicatorStatus } from './status.js';
import { formatMinutes, type HealthStatus } from './status-health.js';

/** The one-screen text of `ddbsync status`. */
export function formatStatus(s: ReplicatorStatus): string {
  const f = s.function;
  const lines = [`replicator ${f.name} (${f.region})`];
  lines.push(
    `  function     ${[f.runtime, f.state, f.lastUpdateStatus && `update ${f.lastUpdateStatus}`].filter(Boolean).join(', ')}` +
      `${f.lastModified ? `; last modified ${f.lastModified}` : ''}`,
  );
  lines.push(
    `  targets      ${f.targetsProblem ? `unreadable: ${f.targetsProblem}` : f.targets.join(', ') || '(none)'}`,
  );
  if (s.mappings.length === 0) lines.push('  mapping      none');
  for (const m of s.mappings) {
    lines.push(
      `  mapping      ${m.uuid}: ${m.state ?? '?'}, last result ${m.lastProcessingResult ?? '(none)'}` +
        `${m.stateTransitionReason ? ` (${m.stateTransitionReason})` : ''}`,
    );
    lines.push(`    stream     ${m.eventSourceArn ?? '?'}`);
    lines.push(
      `    settings   batch size ${m.batchSize ?? '?'}, starting position ${m.startingPosition ?? '?'}, ` +
        `retries ${m.maximumRetryAttempts ?? 'default'}, bisect ${m.bisectBatchOnFunctionError ? 'on' : 'off'}, ` +
        `partial batch responses ${m.reportBatchItemFailures ? 'on' : 'off'}`,
    );
    const q = m.deadLetterQueue;
    lines.push(
      `    on failure ${m.onFailureDestination ?? 'none (failed batches are dropped)'}` +
        (q?.problem
          ? `: ${q.problem}`
          : q
            ? `: ${q.messages} message${q.messages === 1 ? '' : 's'} waiting, ${q.inFlight} in flight`
            : ''),
    );
  }
  const mt = s.metrics;
  if (mt.problem) {
    lines.push(`  metrics      unavailable: ${mt.problem}`);
  } else {
    lines.push(
      `  last ${mt.windowMinutes} min  iterator age max ${mt.iteratorAgeMaxMs === undefined ? 'no data' : formatMs(mt.iteratorAgeMaxMs)}, ` +
        `${mt.invocations} invocations, ${mt.errors} errors, ${mt.throttles} throttles, ` +
        `${mt.failedRecords} failed records, replication latency max ${mt.replicationLatencyMaxMs === undefined ? 'no data' : formatMs(mt.replicationLatencyMaxMs)}`,
    );
  }
  lines.push(...healthLines(s.health));
  if (s.attention.length === 0) lines.push('status: OK');
  else {
    lines.push('attention:');
    for (const a of s.attention) lines.push(`  - ${a}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The canary's and the drift check's lines: one per target, "no data" said as such. */
function healthLines(h: HealthStatus): string[] {
  const lines: string[] = [];
  const c = h.canary;
  if (!c.deployed && !c.problem) lines.push(`  canary       not deployed (no function ${c.function})`);
  else if (c.problem) lines.push(`  canary       ${c.function}: ${c.problem}`);
  else {
    lines.push(`  canary       ${c.function}, last ${c.windowMinutes} min:`);
    for (const t of c.targets) {
      if (t.lastMissing === undefined) {
        lines.push(`    ${t.target}: no data`);
        continue;
      }
      const last =
        t.lastMissing > 0
          ? `heartbeat MISSING at ${t.lastRunAt}`
          : `latency ${t.lastLatencyMs === undefined ? 'no data' : formatMs(t.lastLatencyMs)} at ${t.lastRunAt}`;
      lines.push(`    ${t.target}: ${last}; ${t.misses} of ${t.runs} runs missed`);
    }
  }
  const d = h.drift;
  if (!d.deployed && !d.problem) lines.push(`  drift check  not deployed (no function ${d.function})`);
  else if (d.problem) lines.push(`  drift check  ${d.function}: ${d.problem}`);
  else {
    lines.push(`  drift check  ${d.function}, last run in ${formatMinutes(d.lookbackMinutes)}:`);
    for (const t of d.targets) {
      lines.push(
        t.drifted === undefined
          ? `    ${t.target}: no data`
          : `    ${t.target}: ${t.drifted} drifted of ${t.sampled ?? '?'} sampled at ${t.lastRunAt}`,
      );
    }
  }
  return lines;
}

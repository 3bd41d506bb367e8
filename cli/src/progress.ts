import cliProgress from 'cli-progress';
import type { OutputStream } from './io.js';

export interface Progress {
  /** `done` items so far out of about `total` (DescribeTable's count, refreshed every ~6 h by AWS). */
  update(done: number): void;
  stop(): void;
}

/**
 * A bar with items, rate and ETA on a terminal; otherwise a plain line every
 * `intervalMs` (logs and CI keep a readable record).
 */
export function createProgress(
  label: string,
  total: number,
  out: OutputStream,
  intervalMs: number,
  now: () => number = Date.now,
): Progress {
  const started = now();
  if (out.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: out as unknown as NodeJS.WritableStream,
        format: `${label} [{bar}] {percentage}% | {value}/{total} items | {speed} items/s | ETA {eta_formatted}`,
        etaBuffer: 50,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0, { speed: 0 });
    return {
      update: (done) => {
        if (done > bar.getTotal()) bar.setTotal(done);
        bar.update(done, { speed: Math.round(rate(done, started, now())) });
      },
      stop: () => bar.stop(),
    };
  }
  let lastLine = started;
  let latest = 0;
  const line = () => {
    const t = now();
    const r = rate(latest, started, t);
    const pct = total > 0 ? ` (${Math.min(100, Math.floor((latest / total) * 100))}%)` : '';
    const eta = r > 0 && total > latest ? `, ETA ${Math.ceil((total - latest) / r)}s` : '';
    out.write(`${label}: ${latest}/${total} items${pct}, ${Math.round(r)} items/s${eta}\n`);
    lastLine = t;
  };
  return {
    update: (done) => {
      latest = done;
      if (now() - lastLine >= intervalMs) line();
    },
    stop: () => {},
  };
}

function rate(done: number, started: number, t: number): number {
  const seconds = (t - started) / 1000;
  return seconds > 0 ? done / seconds : 0;
}

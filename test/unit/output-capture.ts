/**
 * Captures what a handler prints through its real Powertools logger and metrics, so unit
 * tests read the JSON lines CloudWatch would receive instead of the terminal.
 */
import { afterEach, beforeEach, type MockInstance, vi } from 'vitest';

export interface CapturedOutput {
  /** Every chunk written to stdout and stderr in the current test; emptied before each. */
  output: string[];
  /** The JSON lines printed so far (logs and EMF metrics). */
  printed: () => Record<string, unknown>[];
}

/** Registers the capture for the calling test file; call at module scope. */
export function captureOutput(): CapturedOutput {
  // One array for the whole file, emptied in place, so tests may hold on to it.
  const output: string[] = [];
  let spies: MockInstance[] = [];
  beforeEach(() => {
    output.length = 0;
    const capture = (chunk: unknown) => {
      output.push(String(chunk));
      return true;
    };
    spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation(capture),
    ];
  });
  afterEach(() => {
    for (const s of spies) s.mockRestore();
  });
  const printed = () =>
    output
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { output, printed };
}

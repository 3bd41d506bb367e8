/**
 * The worker's side of the counters exchange: the parent runs the fake DynamoDB, so a
 * worker asks it over the IPC channel for the requests seen since the last snapshot.
 * Imported only by the workers: it listens on the IPC channel from import on.
 */
import type { FakeCounters } from './fake-dynamodb.js';

let pending: ((c: FakeCounters) => void) | undefined;
process.on('message', (m: { type: string; counters?: FakeCounters }) => {
  if (m.type === 'counters' && pending && m.counters) pending(m.counters);
});

/** The endpoint's counters since the last snapshot (the parent then zeroes them). */
export function snapshot(): Promise<FakeCounters> {
  return new Promise((resolve) => {
    pending = resolve;
    process.send?.({ type: 'snapshot' });
  });
}

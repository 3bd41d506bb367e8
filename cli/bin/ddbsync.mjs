#!/usr/bin/env node
// The ddbsync CLI. Node 20 cannot run TypeScript itself, so the sources are loaded
// through tsx's loader (a dependency of this repository): what runs is always the
// checked-out code, with no build step to forget.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING ??= '1';
register();
const { run } = await import('../src/main.ts');
const { processIo } = await import('../src/io.ts');

// Output piped into a reader that closed early (`ddbsync status | head`): stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// First Ctrl-C: stop at the next safe point (backfill saves its checkpoint); second: exit now.
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write('ddbsync: stopping after the current page (Ctrl-C again to quit at once)\n');
  controller.abort();
});
process.exitCode = await run(process.argv.slice(2), processIo(controller.signal));

/**
 * The ddbsync process: the entry that scripts/build-cli.ts bundles into dist/ddbsync.mjs,
 * the file package.json's bin runs. Only the process glue lives here; the commands are
 * in cli/src and run in-process in the tests through run().
 */
import { processIo } from '../src/io.js';
import { run } from '../src/main.js';

// Output piped into a reader that closed early (`ddbsync status | head`): stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
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

// The child half of test/support/local-lambda.ts: one Lambda "execution environment".
// Plain JavaScript so that it runs under bare `node` with nothing but the deployed code.
//
// argv: <code directory> <handler, e.g. index.handler>
// IPC in:  { type: 'invoke', id, event, deadlineMs, context: { functionName, functionVersion,
//            invokedFunctionArn, memoryLimitInMB, awsRequestId, logGroupName, logStreamName } }
// IPC out: { type: 'ready' } | { type: 'init-error', error } |
//          { type: 'result', id, result } | { type: 'error', id, error }
// After each invocation (and after init) the runner writes END_MARKER + id on stdout, so the
// parent knows every log line of that invocation has arrived before it answers.
// The parent stops this process (SIGSTOP) as soon as a reply arrives and continues it just
// before the next invoke message, as Lambda freezes an environment between events: nothing
// here may rely on running between invocations.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const END_MARKER = '\u0000local-lambda:end:';
const [codeDir, handlerString] = process.argv.slice(2);

// Lambda sends stdout and stderr to the same log stream; do the same so that the parent
// sees every line in the order the function wrote it.
process.stderr.write = process.stdout.write.bind(process.stdout);

function describe(err) {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, stack: err.stack };
  }
  return { name: 'Error', message: String(err) };
}

function endOfOutput(id) {
  return new Promise((resolve) => process.stdout.write(`${END_MARKER}${id}\n`, () => resolve()));
}

function send(message) {
  return new Promise((resolve) => process.send(message, () => resolve()));
}

async function loadHandler() {
  const dot = handlerString.lastIndexOf('.');
  if (dot <= 0) {
    throw Object.assign(new Error(`Bad handler "${handlerString}": expected <module>.<export>`), {
      name: 'Runtime.MalformedHandlerName',
    });
  }
  const moduleName = handlerString.slice(0, dot);
  const exportName = handlerString.slice(dot + 1);
  const candidates = ['.mjs', '.js', '.cjs'].map((ext) => join(codeDir, `${moduleName}${ext}`));
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    throw Object.assign(new Error(`Cannot find module '${moduleName}' in ${codeDir}`), {
      name: 'Runtime.ImportModuleError',
    });
  }
  const mod = await import(pathToFileURL(file).href);
  const fn = mod[exportName];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${handlerString} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return fn;
}

let handler;
try {
  handler = await loadHandler();
  await endOfOutput('init');
  await send({ type: 'ready' });
} catch (err) {
  await endOfOutput('init');
  await send({ type: 'init-error', error: describe(err) });
}

process.on('message', async (message) => {
  if (message?.type !== 'invoke' || !handler) return;
  const { id, event, deadlineMs, context: base } = message;
  const context = {
    ...base,
    // Lambda's default. It only matters to callback-style handlers (the runtime then waits
    // for an empty event loop before answering; see nodejs-context.html in Lambda's guide);
    // an async handler's answer is its settled promise, whatever it left running, and that
    // is all this runner awaits.
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
  };
  let reply;
  try {
    const result = await handler(event, context);
    reply = { type: 'result', id, result: result === undefined ? null : result };
  } catch (err) {
    reply = { type: 'error', id, error: describe(err) };
  }
  await endOfOutput(id);
  await send(reply);
});

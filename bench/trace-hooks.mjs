// Module loader hooks for the benchmark's chunk trace: records the URL of every module
// the process loads into the file named in the registration data.
import { appendFileSync } from 'node:fs';

let traceFile;

export function initialize(data) {
  traceFile = data.traceFile;
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:')) appendFileSync(traceFile, `${url}\n`);
  return nextLoad(url, context);
}

import { ExportLineError, ExportReadError } from './errors.js';

/** One line of an export data file. */
export interface ExportLine {
  /** Lines before this one in the file (0 for the first). */
  readonly index: number;
  /** The line as UTF-8 text, without its newline. */
  readonly text: string;
  /** Its bytes in the uncompressed file, newline included. */
  readonly bytes: number;
}

export interface LineOptions {
  /** Lines to pass over unread (already loaded): counted, not decoded or kept. */
  readonly skip: number;
  /** A longer line is refused instead of buffered without end. */
  readonly maxLineBytes: number;
  /** Names the file in errors, e.g. s3://bucket/key. */
  readonly file: string;
}

/**
 * A DynamoDB item is at most 400 KB; its JSON line is larger only by escapes and base64,
 * at most about 6x for text made of control characters. 16 MB is well past any real line.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines. Rather than node:readline, which reads ahead up to its
 * buffer of lines whatever the consumer does (1,024 lines, or 400 MB of 400 KB items), this
 * pulls the next chunk only when the consumer asks for the next line: the source's own
 * back-pressure holds, so memory stays at one chunk and one line. Bytes are split at
 * newlines before decoding, so a character cut between two chunks is never mangled.
 * A last line without a newline is a line too. Throws ExportLineError for a line over
 * maxLineBytes and ExportReadError when the file ends before `skip` lines.
 */
export async function* exportLines(
  source: AsyncIterable<Uint8Array>,
  options: LineOptions,
): AsyncGenerator<ExportLine, void, undefined> {
  let index = 0;
  // The current line's bytes from earlier chunks (kept only for lines not skipped).
  let parts: Buffer[] = [];
  let partBytes = 0;
  for await (const chunk of source) {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
      const bytes = partBytes + nl - start;
      if (bytes > options.maxLineBytes) throw tooLong(options, index);
      if (index >= options.skip) {
        const text =
          parts.length === 0
            ? buf.toString('utf8', start, nl)
            : Buffer.concat([...parts, buf.subarray(start, nl)]).toString('utf8');
        yield { index, text, bytes: bytes + 1 };
      }
      parts = [];
      partBytes = 0;
      index++;
      start = nl + 1;
    }
    if (start < buf.length) {
      partBytes += buf.length - start;
      if (partBytes > options.maxLineBytes) throw tooLong(options, index);
      if (index >= options.skip) parts.push(buf.subarray(start));
    }
  }
  if (partBytes > 0) {
    if (index >= options.skip) yield { index, text: Buffer.concat(parts).toString('utf8'), bytes: partBytes };
    index++;
  }
  if (index < options.skip) {
    throw new ExportReadError(
      options.file,
      `startLine ${options.skip} is past the end of the file, which has ${index} lines; was the file replaced?`,
    );
  }
}

function tooLong(options: LineOptions, index: number): ExportLineError {
  return new ExportLineError(
    options.file,
    index + 1,
    `is longer than ${options.maxLineBytes} bytes, far more than a DynamoDB item (400 KB) takes; is this an export data file?`,
  );
}

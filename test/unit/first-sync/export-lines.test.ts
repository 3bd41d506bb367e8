import { describe, expect, it } from 'vitest';
import { ExportLineError, ExportReadError } from '../../../lambda/src/first-sync/errors.js';
import { type ExportLine, exportLines } from '../../../lambda/src/first-sync/export-lines.js';
import { chunked } from './export-fixtures.js';

const FILE = 's3://exports/t/AWSDynamoDB/x/data/a.json.gz';

async function collect(
  source: AsyncIterable<Uint8Array>,
  skip = 0,
  maxLineBytes = 1 << 20,
): Promise<ExportLine[]> {
  const out: ExportLine[] = [];
  for await (const line of exportLines(source, { skip, maxLineBytes, file: FILE })) out.push(line);
  return out;
}

// Multi-byte characters (2, 3 and 4 bytes in UTF-8) so that chunk cuts fall inside them.
const TEXT = ['{"a":"ÿÿ"}', '{"b":"日本語"}', '', '{"c":"🎉🎉"}', 'last without newline'];
const DATA = Buffer.from(TEXT.join('\n'));

describe('exportLines', () => {
  it('gives every line, whole and in order, wherever the chunks cut the bytes', async () => {
    for (const size of [1, 2, 3, 5, 7, 64, DATA.length]) {
      const lines = await collect(chunked(DATA, size));
      expect(lines.map((l) => l.text)).toEqual(TEXT);
      expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3, 4]);
      // Bytes count the newline, so they add up to the file's size.
      expect(lines.reduce((n, l) => n + l.bytes, 0)).toBe(DATA.length);
    }
  });

  it('passes over `skip` lines without giving them, and numbers the rest as in the file', async () => {
    const lines = await collect(chunked(DATA, 3), 3);
    expect(lines.map((l) => [l.index, l.text])).toEqual([
      [3, TEXT[3]],
      [4, TEXT[4]],
    ]);
  });

  it('treats a final newline as the end of the last line, not as an empty line', async () => {
    const lines = await collect(chunked(Buffer.from('one\ntwo\n'), 4));
    expect(lines.map((l) => l.text)).toEqual(['one', 'two']);
  });

  it('accepts skipping every line of the file (a part that stopped at its end) but not more', async () => {
    const data = Buffer.from('one\ntwo\n');
    await expect(collect(chunked(data, 3), 2)).resolves.toEqual([]);
    const err = await collect(chunked(data, 3), 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportReadError);
    expect((err as Error).message).toBe(
      `${FILE}: startLine 3 is past the end of the file, which has 2 lines; was the file replaced?`,
    );
  });

  it('refuses a line longer than the limit with its line number, without buffering it', async () => {
    const data = Buffer.from(`short\n${'x'.repeat(100)}\nshort\n`);
    const err = await collect(chunked(data, 7), 0, 50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportLineError);
    expect(err).toMatchObject({ file: FILE, line: 2 });
    expect((err as Error).message).toMatch(/^s3:\/\/exports\/\S+ line 2: is longer than 50 bytes/);
  });

  it('reads the next chunk only when the consumer asks for the next line (back-pressure)', async () => {
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield Buffer.from(`line ${i}\n`);
      }
    }
    const lines = exportLines(source(), { skip: 0, maxLineBytes: 100, file: FILE });
    await lines.next();
    await lines.next();
    expect(pulled).toBe(2);
    await lines.return(undefined);
  });

  it('gives nothing for an empty file', async () => {
    await expect(collect(chunked(Buffer.alloc(0), 4))).resolves.toEqual([]);
  });
});

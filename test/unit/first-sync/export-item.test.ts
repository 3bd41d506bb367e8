import { describe, expect, it } from 'vitest';
import { itemSize } from '../../../lambda/src/attribute-values.js';
import { ExportLineError } from '../../../lambda/src/first-sync/errors.js';
import { exportLineEntry } from '../../../lambda/src/first-sync/export-item.js';
import { putWriteUnits, wireItemSize } from '../../../lambda/src/first-sync/write-units.js';
import { SECRET_MARKER } from '../../support/fixtures.js';
import { sdkItemOf } from '../records.js';
import { exportItems, exportLine } from './export-fixtures.js';

const WHERE = { file: 's3://exports/p/AWSDynamoDB/e/data/f.json.gz', line: 42 };
const KEY = ['pk', 'sk'];
const NONE = new Set<string>();

function failure(text: string, keyNames = KEY, exclude = NONE): ExportLineError {
  try {
    exportLineEntry(text, keyNames, exclude, WHERE);
  } catch (err) {
    expect(err).toBeInstanceOf(ExportLineError);
    return err as ExportLineError;
  }
  throw new Error('the line was accepted');
}

describe('exportLineEntry', () => {
  it('puts the Item of each line as it is, for items of every type, compact or spaced', () => {
    for (const item of exportItems(3)) {
      for (const spaced of [false, true]) {
        const entry = exportLineEntry(exportLine(item, spaced), KEY, NONE, WHERE);
        expect(entry.request).toEqual({ PutRequest: { Item: item } });
        expect(JSON.parse(entry.json)).toEqual({ PutRequest: { Item: item } });
        expect(entry.bytes).toBe(Buffer.byteLength(entry.json));
        expect(entry.keyItem).toEqual({ pk: item.pk, sk: item.sk });
      }
    }
  });

  it('leaves out excluded attributes but never the key', () => {
    const item = { pk: { S: 'a' }, sk: { N: '1' }, ssn: { S: SECRET_MARKER }, keep: { BOOL: true } };
    const entry = exportLineEntry(exportLine(item), KEY, new Set(['ssn']), WHERE);
    expect(entry.request).toEqual({
      PutRequest: { Item: { pk: { S: 'a' }, sk: { N: '1' }, keep: { BOOL: true } } },
    });
  });

  it('names the file and line of a line that is not JSON, without quoting it', () => {
    const err = failure(`{"Item": {"pk": {"S": "${SECRET_MARKER}"}, oops}}`);
    expect(err.message).toMatch(
      /^s3:\/\/exports\/p\/AWSDynamoDB\/e\/data\/f\.json\.gz line 42: is not valid JSON/,
    );
    expect(err).toMatchObject({ file: WHERE.file, line: 42 });
    expect(err.message).not.toContain(SECRET_MARKER);
    expect(failure('').message).toContain('line 42: is not valid JSON');
  });

  it('refuses lines that are not {"Item": {...}}, saying what the loader reads', () => {
    expect(failure('[1,2]').message).toContain('is not a JSON object');
    expect(failure('{}').message).toContain('has no fields where one, "Item", belongs');
    // An incremental export's line: not an Item.
    expect(failure('{"Metadata":{},"Keys":{},"NewImage":{}}').message).toContain(
      'has 3 fields where one, "Item", belongs; the loader reads full exports in DYNAMODB_JSON format',
    );
    expect(failure('{"Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"extra":1}').message).toContain('has 2 fields');
  });

  it('checks every value to any depth with the replicator rules, naming the path, never the value', () => {
    const bad = exportLine({
      pk: { S: 'a' },
      sk: { N: '1' },
      deep: { L: [{ M: { [SECRET_MARKER]: { B: `not base64 ${SECRET_MARKER}` } } }] },
    } as never);
    const err = failure(bad);
    expect(err.message).toBe(
      `${WHERE.file} line 42: attribute Item.deep[0].#0: binary value is not a base64 string`,
    );
    expect(failure('{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":"a","N":"1"}}}').message).toContain(
      'attribute Item.x: must have exactly one type key, has S, N',
    );
  });

  it('requires the key attributes, of a key type', () => {
    expect(failure('{"Item":{"pk":{"S":"a"}}}').message).toBe(
      `${WHERE.file} line 42: has no key attribute "sk"`,
    );
    expect(failure('{"Item":{"pk":{"M":{}},"sk":{"N":"1"}}}').message).toContain(
      'attribute Keys.pk: is not a key attribute value (S, N or B)',
    );
  });
});

describe('write units of a wire-form item', () => {
  it('counts an item as itemSize does for the same item in the SDK form', () => {
    for (const item of exportItems(5)) expect(wireItemSize(item)).toBe(itemSize(sdkItemOf(item)));
  });

  it('takes one unit per started KB, at least one', () => {
    const sized = (bytes: number) => ({ pk: { S: 'k' }, v: { S: 'x'.repeat(bytes - 4) } });
    expect(putWriteUnits(sized(10))).toBe(1);
    expect(putWriteUnits(sized(1024))).toBe(1);
    expect(putWriteUnits(sized(1025))).toBe(2);
    expect(putWriteUnits({ pk: { S: 'k' }, b: { B: Buffer.alloc(3000).toString('base64') } })).toBe(3);
  });
});

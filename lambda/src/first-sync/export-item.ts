import { AttributeValueError, checkImage, type EventImage, setAttribute } from '../attribute-values.js';
import { type WriteEntry, writeEntry } from '../batch-writer.js';
import { eventKeyString } from '../item-keys.js';
import { ExportLineError } from './errors.js';

/** Where a line is, for errors: the file and the line number counted from 1. */
export interface LineLocation {
  readonly file: string;
  readonly line: number;
}

/**
 * The write for one line of a DYNAMODB_JSON export, `{"Item":{...}}`: a PutRequest of the
 * Item as it is, since the export's form is DynamoDB's JSON wire form, the form the
 * replicator's batch writer sends. The Item is checked to any depth with the replicator's
 * rules (checkImage), without the attributes in `exclude`; its key attributes must be
 * there and be S, N or B. Errors name the line and the attribute path, never a value.
 */
export function exportLineEntry(
  text: string,
  keyNames: readonly string[],
  exclude: ReadonlySet<string>,
  where: LineLocation,
): WriteEntry {
  const fail = (detail: string) => new ExportLineError(where.file, where.line, detail);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text around the fault, which may be item contents: give the position only.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    throw fail(`is not valid JSON${position === undefined ? '' : ` (at character ${position})`}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail('is not a JSON object like {"Item": {...}}');
  }
  const fields = Object.keys(parsed);
  if (fields.length !== 1 || fields[0] !== 'Item') {
    throw fail(
      `has ${fields.length === 0 ? 'no fields' : `${fields.length} fields`} where one, "Item", belongs; ` +
        'the loader reads full exports in DYNAMODB_JSON format',
    );
  }
  let item: EventImage;
  const keyItem: EventImage = {};
  let key: string;
  try {
    item = checkImage((parsed as { Item: unknown }).Item, 'Item', exclude);
    for (const name of keyNames) {
      const value = item[name];
      if (value === undefined) throw fail(`has no key attribute "${name}"`);
      setAttribute(keyItem, name, value);
    }
    key = eventKeyString(keyItem);
  } catch (err) {
    if (err instanceof AttributeValueError) throw fail(err.message);
    throw err;
  }
  return writeEntry({ PutRequest: { Item: item } }, keyItem, key);
}

/**
 * The event source mapping emulator's FilterCriteria matcher, on the examples of Lambda's
 * filtering pages (invocation-eventfiltering.html, with-ddb-filtering.html) applied to
 * DynamoDB stream records as the function receives them.
 */
import { describe, expect, it } from 'vitest';
import { compileFilterCriteria, compilePattern, FilterPatternError } from '../../../cli/src/event-filter.js';

const insert = {
  eventID: '1',
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  awsRegion: 'us-east-1',
  dynamodb: {
    ApproximateCreationDateTime: 1678831218,
    Keys: { CustomerName: { S: 'AnyCompany Industries' } },
    NewImage: {
      CustomerName: { S: 'AnyCompany Industries' },
      AccountManager: { S: 'Pat Candella' },
      PaymentTerms: { S: '60 days' },
      Organizations: { L: [{ S: 'Sales' }, { S: 'Marketing' }] },
      Score: { N: '5' },
    },
    SequenceNumber: '111',
    SizeBytes: 26,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
};
const modify = {
  ...insert,
  eventName: 'MODIFY',
  dynamodb: {
    ...insert.dynamodb,
    OldImage: { ...insert.dynamodb.NewImage, AccountManager: { S: 'Terry Whitlock' } },
  },
};
const remove = {
  ...insert,
  eventName: 'REMOVE',
  dynamodb: { ...insert.dynamodb, NewImage: undefined, OldImage: insert.dynamodb.NewImage },
};

const matches = (pattern: object, record: object) => compilePattern(JSON.stringify(pattern))(record);

describe('compilePattern', () => {
  it('matches metadata and nested data fields with equals, and lists as OR', () => {
    expect(matches({ eventName: ['INSERT', 'MODIFY'] }, insert)).toBe(true);
    expect(matches({ eventName: ['INSERT', 'MODIFY'] }, remove)).toBe(false);
    expect(matches({ dynamodb: { Keys: { CustomerName: { S: ['AnyCompany Industries'] } } } }, insert)).toBe(
      true,
    );
    expect(matches({ dynamodb: { Keys: { CustomerName: { S: ['Other'] } } } }, insert)).toBe(false);
    expect(
      matches(
        { dynamodb: { NewImage: { AccountManager: { S: ['Pat Candella', 'Shirley Rodriguez'] } } } },
        insert,
      ),
    ).toBe(true);
  });

  it('requires every field (AND) and "$or" of patterns', () => {
    const both = {
      eventName: ['MODIFY'],
      dynamodb: { OldImage: { AccountManager: { S: ['Terry Whitlock'] } } },
    };
    expect(matches(both, modify)).toBe(true);
    expect(matches(both, insert)).toBe(false);
    const either = { $or: [{ eventName: ['REMOVE'] }, { dynamodb: { NewImage: { Score: { N: ['5'] } } } }] };
    expect(matches(either, remove)).toBe(true);
    expect(matches(either, insert)).toBe(true);
    expect(matches(either, { ...insert, dynamodb: { ...insert.dynamodb, NewImage: {} } })).toBe(false);
  });

  it('applies anything-but, prefix, suffix, equals-ignore-case and exists to leaves', () => {
    expect(matches({ eventName: [{ 'anything-but': ['REMOVE'] }] }, modify)).toBe(true);
    expect(matches({ eventName: [{ 'anything-but': 'REMOVE' }] }, remove)).toBe(false);
    expect(matches({ dynamodb: { NewImage: { PaymentTerms: { S: [{ prefix: '60' }] } } } }, insert)).toBe(
      true,
    );
    expect(matches({ dynamodb: { NewImage: { PaymentTerms: { S: [{ suffix: 'days' }] } } } }, insert)).toBe(
      true,
    );
    expect(matches({ eventName: [{ 'equals-ignore-case': 'insert' }] }, insert)).toBe(true);
    expect(matches({ eventName: [{ prefix: { 'equals-ignore-case': 'ins' } }] }, insert)).toBe(true);
    expect(matches({ dynamodb: { OldImage: { Score: { N: [{ exists: true }] } } } }, remove)).toBe(true);
    expect(matches({ dynamodb: { NewImage: { Score: { N: [{ exists: false }] } } } }, remove)).toBe(true);
    expect(matches({ dynamodb: { NewImage: { Score: { N: [{ exists: false }] } } } }, insert)).toBe(false);
  });

  it('never matches exists on an intermediate node, but does on the leaves inside a list', () => {
    // with-ddb-filtering.html, "Using the Exists operator".
    expect(matches({ dynamodb: { NewImage: { Organizations: [{ exists: true }] } } }, insert)).toBe(false);
    expect(
      matches({ dynamodb: { NewImage: { Organizations: { L: { S: [{ exists: true }] } } } } }, insert),
    ).toBe(true);
    expect(matches({ dynamodb: { NewImage: { Organizations: { L: { S: ['Marketing'] } } } } }, insert)).toBe(
      true,
    );
  });

  it('compares numbers only with numbers: DynamoDB N values are strings in the record', () => {
    expect(matches({ dynamodb: { SizeBytes: [{ numeric: ['>', 10, '<=', 26] }] } }, insert)).toBe(true);
    expect(matches({ dynamodb: { SizeBytes: [{ numeric: ['<', 26] }] } }, insert)).toBe(false);
    expect(matches({ dynamodb: { NewImage: { Score: { N: [{ numeric: ['=', 5] }] } } } }, insert)).toBe(
      false,
    );
    expect(matches({ dynamodb: { SizeBytes: [26] } }, insert)).toBe(true);
    expect(matches({ dynamodb: { SizeBytes: ['26'] } }, insert)).toBe(false);
  });

  it('refuses what it does not emulate instead of guessing', () => {
    expect(() => compilePattern('{"eventName": [{"wildcard": "IN*"}]}')).toThrow(
      /"wildcard" rule is not emulated/,
    );
    expect(() => compilePattern('{"eventName": [{"anything-but": {"prefix": "RE"}}]}')).toThrow(
      FilterPatternError,
    );
    expect(() => compilePattern('{"eventName": []}')).toThrow(FilterPatternError);
    expect(() => compilePattern('{"eventName": "INSERT"}')).toThrow(/object or a list/);
    expect(() => compilePattern('not json')).toThrow(/not JSON/);
    expect(() => compilePattern('["INSERT"]')).toThrow(/not a JSON object/);
  });
});

describe('compileFilterCriteria', () => {
  it('passes a record that matches any filter, and every record without filters', () => {
    const keep = compileFilterCriteria(['{"eventName":["INSERT"]}', '{"eventName":["MODIFY"]}']);
    expect([insert, modify, remove].map(keep)).toEqual([true, true, false]);
    expect(compileFilterCriteria([])(remove)).toBe(true);
  });
});

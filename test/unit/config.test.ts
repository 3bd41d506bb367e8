import { describe, expect, it } from 'vitest';
import { parseConfig, targetId } from '../../lambda/src/config.js';
import { ConfigError } from '../../lambda/src/errors.js';

const ROLE = 'arn:aws:iam::222222222222:role/ddbsync-writer';

function env(overrides: Record<string, string | undefined>): Record<string, string | undefined> {
  return { AWS_REGION: 'us-east-1', REPLICATION_TARGETS: '[{"tableName":"orders-replica"}]', ...overrides };
}

/** Parses and returns the ConfigError thrown, failing the test if none is thrown. */
function configError(e: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(e);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('parseConfig accepted an invalid configuration');
}

const targets = (...t: unknown[]) => JSON.stringify(t);

describe('parseConfig: REPLICATION_TARGETS errors name the setting', () => {
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['invalid JSON', '[{"tableName":'],
    ['not an array', '{"tableName":"orders-replica"}'],
    ['an empty array', '[]'],
  ])('rejects REPLICATION_TARGETS that is %s', (_, raw) => {
    const err = configError(env({ REPLICATION_TARGETS: raw }));
    expect(err.setting).toBe('REPLICATION_TARGETS');
    expect(err.message).toMatch(/^REPLICATION_TARGETS: /);
  });

  it('rejects a target that is not an object, naming its index', () => {
    const err = configError(env({ REPLICATION_TARGETS: targets({ tableName: 'ok-table' }, 'orders') }));
    expect(err.setting).toBe('REPLICATION_TARGETS[1]');
  });

  it('rejects an unknown field, naming the target and the field', () => {
    const err = configError(env({ REPLICATION_TARGETS: targets({ tableName: 'orders', table: 'x' }) }));
    expect(err.setting).toBe('REPLICATION_TARGETS[0].table');
    expect(err.message).toContain('not a known field');
  });

  it.each([
    ['too short', 'ab'],
    ['bad characters', 'orders/replica'],
    ['empty', ''],
    ['not a string', 42],
    ['missing', undefined],
  ])('rejects a tableName that is %s', (_, tableName) => {
    const err = configError(env({ REPLICATION_TARGETS: targets({ tableName }) }));
    expect(err.setting).toBe('REPLICATION_TARGETS[0].tableName');
  });

  it('accepts a table ARN as the tableName', () => {
    const arn = 'arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica';
    const config = parseConfig(
      env({ REPLICATION_TARGETS: targets({ tableName: arn, region: 'eu-west-1' }) }),
    );
    expect(config.targets[0]?.tableName).toBe(arn);
  });

  it("takes a table ARN's region when region is left out, and refuses a different one", () => {
    const arn = 'arn:aws:dynamodb:ap-southeast-2:222222222222:table/orders-replica';
    const config = parseConfig(env({ REPLICATION_TARGETS: targets({ tableName: arn }) }));
    expect(config.targets[0]?.region).toBe('ap-southeast-2');
    const err = configError(env({ REPLICATION_TARGETS: targets({ tableName: arn, region: 'eu-west-1' }) }));
    expect(err.setting).toBe('REPLICATION_TARGETS[0].region');
    expect(err.message).toContain('ap-southeast-2');
  });

  it.each(['EU-WEST-1', 'europe', 'eu-west', ''])('rejects the region "%s"', (region) => {
    const err = configError(env({ REPLICATION_TARGETS: targets({ tableName: 'orders', region }) }));
    expect(err.setting).toBe('REPLICATION_TARGETS[0].region');
  });

  it('rejects a target without region when AWS_REGION is not set either', () => {
    const err = configError(env({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }));
    expect(err.setting).toBe('REPLICATION_TARGETS[0].region');
    expect(err.message).toContain('AWS_REGION');
  });

  it.each([
    ['a user ARN', 'arn:aws:iam::222222222222:user/alice'],
    ['a short account', 'arn:aws:iam::2222:role/x'],
    ['a role name only', 'ddbsync-writer'],
  ])('rejects a roleArn that is %s', (_, roleArn) => {
    const err = configError(env({ REPLICATION_TARGETS: targets({ tableName: 'orders', roleArn }) }));
    expect(err.setting).toBe('REPLICATION_TARGETS[0].roleArn');
  });

  it('rejects an externalId without a roleArn', () => {
    const err = configError(
      env({ REPLICATION_TARGETS: targets({ tableName: 'orders', externalId: 'abc' }) }),
    );
    expect(err.setting).toBe('REPLICATION_TARGETS[0].externalId');
    expect(err.message).toContain('roleArn');
  });

  it('rejects a malformed externalId', () => {
    const err = configError(
      env({ REPLICATION_TARGETS: targets({ tableName: 'orders', roleArn: ROLE, externalId: 'a b c' }) }),
    );
    expect(err.setting).toBe('REPLICATION_TARGETS[0].externalId');
  });

  it('rejects a duplicate target, naming the second one', () => {
    const err = configError(
      env({
        REPLICATION_TARGETS: targets(
          { tableName: 'orders', region: 'eu-west-1' },
          { tableName: 'other', region: 'eu-west-1' },
          { tableName: 'orders', region: 'eu-west-1' },
        ),
      }),
    );
    expect(err.setting).toBe('REPLICATION_TARGETS[2]');
    expect(err.message).toContain('duplicates');
  });

  it('treats the same table in another region or account as a different target', () => {
    const config = parseConfig(
      env({
        REPLICATION_TARGETS: targets(
          { tableName: 'orders', region: 'eu-west-1' },
          { tableName: 'orders', region: 'us-west-2' },
          { tableName: 'orders', region: 'eu-west-1', roleArn: ROLE },
        ),
      }),
    );
    expect(new Set(config.targets.map(targetId)).size).toBe(3);
  });
});

describe('parseConfig: other settings', () => {
  it.each([',', 'ssn,,email', 'ssn, ,email', 'ssn,'])('rejects EXCLUDE_ATTRIBUTES "%s"', (raw) => {
    expect(configError(env({ EXCLUDE_ATTRIBUTES: raw })).setting).toBe('EXCLUDE_ATTRIBUTES');
  });

  it('reads EXCLUDE_ATTRIBUTES as a trimmed comma-separated set', () => {
    const config = parseConfig(env({ EXCLUDE_ATTRIBUTES: ' ssn , email,ssn' }));
    expect([...config.excludeAttributes].sort()).toEqual(['email', 'ssn']);
  });

  it.each(['yes', '1', 'on', 'truee'])('rejects SKIP_TTL_DELETES "%s"', (raw) => {
    expect(configError(env({ SKIP_TTL_DELETES: raw })).setting).toBe('SKIP_TTL_DELETES');
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    [' false ', false],
  ])('reads SKIP_TTL_DELETES "%s"', (raw, expected) => {
    expect(parseConfig(env({ SKIP_TTL_DELETES: raw })).skipTtlDeletes).toBe(expected);
  });

  it.each(['0', '129', '1.5', 'many', '-3', '1e1x'])('rejects MAX_CONCURRENCY "%s"', (raw) => {
    expect(configError(env({ MAX_CONCURRENCY: raw })).setting).toBe('MAX_CONCURRENCY');
  });

  it('reads MAX_CONCURRENCY within its bounds', () => {
    expect(parseConfig(env({ MAX_CONCURRENCY: '1' })).maxConcurrency).toBe(1);
    expect(parseConfig(env({ MAX_CONCURRENCY: '128' })).maxConcurrency).toBe(128);
  });
});

describe('parseConfig: defaults', () => {
  it('fills the region from AWS_REGION, uses own credentials without roleArn, and keeps TTL deletes', () => {
    const config = parseConfig(env({ AWS_REGION: 'ap-southeast-2' }));
    expect(config.targets).toEqual([{ tableName: 'orders-replica', region: 'ap-southeast-2' }]);
    expect(config.targets[0]).not.toHaveProperty('roleArn');
    expect(config.skipTtlDeletes).toBe(false);
    expect(config.excludeAttributes.size).toBe(0);
    expect(config.maxConcurrency).toBeGreaterThanOrEqual(1);
  });

  it('falls back to AWS_DEFAULT_REGION when AWS_REGION is unset', () => {
    const config = parseConfig(env({ AWS_REGION: undefined, AWS_DEFAULT_REGION: 'eu-central-1' }));
    expect(config.targets[0]?.region).toBe('eu-central-1');
  });

  it('keeps an explicit region, roleArn and externalId', () => {
    const config = parseConfig(
      env({
        REPLICATION_TARGETS: targets({
          tableName: 'orders',
          region: 'eu-west-1',
          roleArn: ROLE,
          externalId: 'ops-2024',
        }),
      }),
    );
    expect(config.targets).toEqual([
      { tableName: 'orders', region: 'eu-west-1', roleArn: ROLE, externalId: 'ops-2024' },
    ]);
  });
});

import type { TargetConfig } from './config.js';

/**
 * The value of the `Target` metric dimension: `<account id>/<region>/<table name>`. The
 * account is the table ARN's when the target is given as one, else the role's (a role is
 * assumed in the target's account), else the function's own. Terraform builds the same
 * string for the dashboard and the alarms, so the rule must not change lightly.
 */
export function targetLabel(target: TargetConfig, functionAccount: string): string {
  const arn = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):(\d{12}):table\/(.+)$/.exec(target.tableName);
  if (arn) return `${arn[2]}/${arn[1]}/${arn[3]}`;
  const account = target.roleArn ? accountOfArn(target.roleArn) : undefined;
  return `${account ?? functionAccount}/${target.region}/${target.tableName}`;
}

/** The account id in an ARN (its fifth field), if it has one. */
export function accountOfArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

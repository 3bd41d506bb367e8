/**
 * Reads the IAM policies a deployment left in the local AWS (moto's IAM API) and reduces
 * them to what they allow, so a test can compare them exactly with least privilege.
 */
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { LOCAL_CREDENTIALS } from '../support/deployed-replicator.js';
import { assumeRoleCredentials } from '../support/fixtures.js';
import { deployerRoleArn, SOURCE_ACCOUNT } from '../support/replicate-deployment.js';

export interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: Record<string, string | string[]> | string;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface RolePolicies {
  readonly roleArn: string;
  readonly trust: Statement[];
  /** Statements of every inline policy. */
  readonly inline: Statement[];
  /** ARNs of managed policies attached to the role (least privilege here means none). */
  readonly attached: string[];
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

function parseDocument(raw: string | undefined): Statement[] {
  if (!raw) return [];
  const text = raw.trimStart().startsWith('{') ? raw : decodeURIComponent(raw);
  const doc = JSON.parse(text) as { Statement?: Statement | Statement[] };
  return Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
}

/** An IAM client acting in accountId (through the deployer role when it is not moto's default account). */
export async function iamClientFor(endpoint: string, accountId: string): Promise<IAMClient> {
  const region = 'us-east-1';
  if (accountId === SOURCE_ACCOUNT)
    return new IAMClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  const credentials = await assumeRoleCredentials(endpoint, region, deployerRoleArn(accountId), {
    sessionName: 'ddbsync-iam-check',
  });
  return new IAMClient({ endpoint, region, credentials });
}

export function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

export async function rolePolicies(endpoint: string, roleArn: string): Promise<RolePolicies> {
  const roleName = roleArn.split('/').pop() as string;
  const iam = await iamClientFor(endpoint, accountOf(roleArn));
  try {
    const role = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
    const inline: Statement[] = [];
    for (const name of names) {
      const p = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
      inline.push(...parseDocument(p.PolicyDocument));
    }
    const attached =
      (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies ?? [];
    return {
      roleArn: role.Role?.Arn ?? roleArn,
      trust: parseDocument(role.Role?.AssumeRolePolicyDocument),
      inline,
      attached: attached.map((a) => a.PolicyArn ?? ''),
    };
  } finally {
    iam.destroy();
  }
}

/**
 * What a set of Allow statements grants: action → sorted resources. Throws on what this
 * reduction cannot represent exactly (Deny, NotAction, NotResource, conditions), so a
 * policy using them fails the comparison instead of being misread.
 */
export function grants(statements: readonly Statement[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const s of statements) {
    const where = `statement ${s.Sid ?? JSON.stringify(s)}`;
    if (s.Effect !== 'Allow') throw new Error(`${where}: Effect ${s.Effect}`);
    if (s.NotAction || s.NotResource) throw new Error(`${where}: NotAction/NotResource`);
    if (s.Condition) throw new Error(`${where}: has a condition ${JSON.stringify(s.Condition)}`);
    for (const action of list(s.Action)) {
      out[action] ??= new Set();
      for (const r of list(s.Resource)) out[action].add(r);
    }
  }
  return Object.fromEntries(
    Object.entries(out)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([a, rs]) => [a, [...rs].sort()]),
  );
}

/** Same shape as grants(), built from action lists and resources. */
export function expectedGrants(
  entries: readonly [readonly string[], readonly string[]][],
): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const [actions, resources] of entries) {
    for (const a of actions) {
      out[a] ??= new Set();
      for (const r of resources) out[a].add(r);
    }
  }
  return Object.fromEntries(
    Object.entries(out)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([a, rs]) => [a, [...rs].sort()]),
  );
}

export { list as asList };

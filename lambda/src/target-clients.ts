import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import type { TargetConfig } from './config.js';
import { sendWireBodies } from './wire-body.js';

export interface ClientOptions {
  /** Region the STS calls for assumed roles go to: the caller's own region. */
  readonly stsRegion?: string;
  /** Name for the assumed-role sessions, shown in the target account's CloudTrail. */
  readonly sessionName: string;
  /** Attempts per request inside the SDK (its standard retry mode) before our own retry loop takes over. */
  readonly maxAttempts?: number;
  /**
   * Limit on each STS connection and AssumeRole request (default 5,000 ms). The SDK sets
   * none, so an STS endpoint that stops answering would hold the batch until the function
   * times out; with it, the writes fail, are reported, and Lambda retries them.
   */
  readonly stsTimeoutMs?: number;
}

/** Sockets per target client: MAX_CONCURRENCY's upper limit (see config.ts). */
const MAX_SOCKETS = 128;

/**
 * The DynamoDB client for a target: its region's endpoint (or the standard
 * AWS_ENDPOINT_URL* override), and for a role target a temporary-credentials
 * provider made once and kept with the client. The SDK caches those credentials
 * and refreshes them before they expire, so AssumeRole runs once per container
 * and hour, not per invocation. The STS code is loaded only when a role is used.
 */
export function createTargetClient(
  target: TargetConfig,
  options: ClientOptions,
  credentials: AwsCredentialIdentityProvider | undefined = target.roleArn
    ? assumedRoleCredentials(target, options)
    : undefined,
): DynamoDBClient {
  const client = new DynamoDBClient({
    region: target.region,
    maxAttempts: options.maxAttempts ?? 3,
    // The SDK's agents keep connections alive but allow 50 sockets, and MAX_CONCURRENCY
    // goes to 128: above 50, requests silently waited for a socket (make bench once showed
    // at most 50 in flight at MAX_CONCURRENCY=64). Keep-alive stays on; nothing else is set.
    requestHandler: {
      httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
      httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
    },
    ...(credentials ? { credentials } : {}),
  });
  // The SDK's logger middleware builds a redacted copy of every request (all 25 items,
  // walked through the schema) to hand to the client's logger, even to the default no-op
  // logger this client has. That was the largest CPU cost per request in `make bench`
  // (~50 ms per 10,000-record batch); nothing is logged either way, so leave it out.
  client.middlewareStack.remove('loggerMiddleware');
  sendWireBodies(client);
  return client;
}

/**
 * The clients for all targets, with one credential provider per role and external id:
 * targets that share a role (one account, several regions or tables) share its session,
 * so the container makes one AssumeRole per role, not one per target. Each client caches
 * what its provider returns, so the shared provider caches too (the SDK's memoizer, with
 * the SDK's expiry rule) or every client would assume the role for itself.
 */
export function createTargetClients(
  targets: readonly TargetConfig[],
  options: ClientOptions,
): DynamoDBClient[] {
  const providers = new Map<string, AwsCredentialIdentityProvider>();
  return targets.map((target) => {
    if (!target.roleArn) return createTargetClient(target, options);
    const role = `${target.roleArn}\n${target.externalId ?? ''}`;
    let provider = providers.get(role);
    if (provider === undefined) {
      provider = memoizeIdentityProvider(
        assumedRoleCredentials(target, options),
        isIdentityExpired,
        doesIdentityRequireRefresh,
      ) as AwsCredentialIdentityProvider;
      providers.set(role, provider);
    }
    return createTargetClient(target, options, provider);
  });
}

function assumedRoleCredentials(target: TargetConfig, options: ClientOptions): AwsCredentialIdentityProvider {
  let provider: Promise<AwsCredentialIdentityProvider> | undefined;
  return async (props) => {
    provider ??= import('@aws-sdk/credential-providers').then(({ fromTemporaryCredentials }) =>
      fromTemporaryCredentials({
        params: {
          RoleArn: target.roleArn as string,
          RoleSessionName: options.sessionName,
          ...(target.externalId ? { ExternalId: target.externalId } : {}),
        },
        clientConfig: {
          region: options.stsRegion ?? target.region,
          maxAttempts: 2,
          requestHandler: {
            connectionTimeout: options.stsTimeoutMs ?? 5_000,
            requestTimeout: options.stsTimeoutMs ?? 5_000,
            throwOnRequestTimeout: true,
          },
        },
      }),
    );
    const p = await provider;
    return (await p(props)) as AwsCredentialIdentity;
  };
}

/** An STS role session name: 2-64 characters of [\w+=,.@-]. */
export function sessionName(prefix: string, name: string | undefined): string {
  const cleaned = `${prefix}-${name ?? 'local'}`.replace(/[^\w+=,.@-]/g, '-');
  return cleaned.slice(0, 64);
}

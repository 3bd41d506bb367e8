/**
 * A Lambda function on moto that does nothing, with its execution role: what the status
 * tests deploy so `ddbsync status` has a function, its environment and its mappings to read.
 */
import { CreateRoleCommand, IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';

/** Creates `${name}-role` and the function `name` with the given environment. */
export async function createPlaceholderFunction(
  config: IAMClientConfig,
  name: string,
  variables: Record<string, string>,
): Promise<void> {
  const role = await new IAMClient(config).send(
    new CreateRoleCommand({
      RoleName: `${name}-role`,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  await new LambdaClient(config).send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: role.Role?.Arn,
      Code: {
        ZipFile: zipSync({
          'index.mjs': new TextEncoder().encode('export const handler = async () => ({});'),
        }),
      },
      Environment: { Variables: variables },
    }),
  );
}

/**
 * A bucket policy that denies requests without TLS, as modules/first-sync's export bucket
 * has, must not refuse the local AWS's requests (plain HTTP standing for the HTTPS the SDKs
 * use on AWS), while its other statements still apply. Stock moto_server ignores a statement's
 * Condition and refuses every GetObject of such a bucket with a bare 403
 * (LOCAL_AWS_SERVER=moto_server shows it); the launcher's fix is in moto_patches_first_sync.py.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../support/fixtures.js';
import { startLocalAws } from '../support/local-aws.js';
import type { MotoServer } from '../support/moto.js';

let moto: MotoServer;
let s3: S3Client;

beforeAll(async () => {
  moto = await startLocalAws();
  s3 = s3Client(moto.endpoint, 'us-east-1');
});

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

async function bucketWithPolicy(bucket: string, statements: object[]): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/a.json', Body: '{"Item":{}}\n' }));
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    }),
  );
}

const resources = (bucket: string) => [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`];

describe('S3 bucket policies on the local AWS', () => {
  it('a Deny of requests without TLS does not refuse a GetObject', async () => {
    await bucketWithPolicy('tls-only', [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: resources('tls-only'),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'tls-only', Key: 'data/a.json' }));
    expect(await got.Body?.transformToString()).toBe('{"Item":{}}\n');
  });

  it('an unconditional Deny still refuses it', async () => {
    await bucketWithPolicy('deny-all', [
      { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: resources('deny-all') },
    ]);
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'deny-all', Key: 'data/a.json' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });
});

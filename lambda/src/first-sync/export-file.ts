import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ExportReadError } from './errors.js';

/**
 * An export data file's uncompressed bytes, streamed: S3 GetObject's body through a gunzip
 * stream, read as fast as the caller reads (nothing is buffered beyond the streams' own
 * chunks). Ending the iteration early (a loader stopping for its deadline) destroys both
 * streams and with them the connection. A zero-byte object, which an export may write for
 * an empty partition, has no lines.
 */
export async function openExportFile(
  s3: S3Client,
  bucket: string,
  key: string,
  file = `s3://${bucket}/${key}`,
): Promise<AsyncIterable<Uint8Array>> {
  let body: unknown;
  let length: number | undefined;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    body = out.Body;
    length = out.ContentLength;
  } catch (err) {
    const e = err as Error;
    throw new ExportReadError(file, `GetObject failed: ${e.name}: ${e.message}`);
  }
  if (!(body instanceof Readable)) {
    throw new ExportReadError(file, 'GetObject returned no readable body');
  }
  if (length === 0) {
    body.destroy();
    return Readable.from([]);
  }
  // pipeline forwards an error of either stream (a cut connection, data that is not gzip)
  // to the gunzip stream, whose iterator then throws it; the callback has nothing to add.
  return pipeline(body, createGunzip(), () => undefined);
}

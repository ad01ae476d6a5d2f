// The S3-compatible bucket behind `artifacts.store: 's3'`, through the AWS SDK (loaded only when a
// bucket is configured: it is large). Objects are addressed as s3://<bucket>/<key> in the database.
import type { Readable } from 'node:stream';
import type { Config } from '../../shared/config.js';

export type S3Settings = NonNullable<Config['artifacts']['s3']>;

export interface Bucket {
  /** s3://<bucket>/<key> for a key. */
  url(key: string): string;
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(url: string): Promise<Readable>;
}

export async function openBucket(settings: S3Settings): Promise<Bucket> {
  const { S3Client, PutObjectCommand, GetObjectCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    // The SDK's own retries (3, with backoff) before the uploader retries later.
    maxAttempts: 3,
    // A stuck request must not hold the uploader (and the master's shutdown) for ever.
    requestHandler: { requestTimeout: 120_000, connectionTimeout: 10_000 },
    // S3-compatible services (IBM COS among them) do not all know the newer checksum headers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const prefix = `s3://${settings.bucket}/`;
  return {
    url: (key) => `${prefix}${key}`,
    async put(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async get(url) {
      if (!url.startsWith(prefix)) throw new Error(`${url} is not in bucket ${settings.bucket}`);
      const out = await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: url.slice(prefix.length) }));
      return out.Body as Readable;
    },
  };
}

// The S3-compatible bucket behind `artifacts.store: 's3'`, through the AWS SDK (loaded only when a
// bucket is configured: it is large). Objects are addressed as s3://<bucket>/<key> in the database.
import type { Readable } from 'node:stream';
import type { Config } from '../../shared/config.js';

export type S3Settings = NonNullable<Config['artifacts']['s3']>;

export interface Bucket {
  /** s3://<bucket>/<key> for a key. */
  url(key: string): string;
  /** A stream needs its length (S3 wants Content-Length; artifacts may be gigabytes). */
  put(key: string, body: Buffer | Readable, contentType: string, contentLength?: number): Promise<void>;
  get(url: string): Promise<Readable>;
}

export async function openBucket(settings: S3Settings): Promise<Bucket> {
  const { S3Client, PutObjectCommand, GetObjectCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    // The SDK's own retries (3, with backoff) for reads; a streamed upload is not retried by the
    // SDK (its body is consumed), the uploader tries it again later.
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
    async put(key, body, contentType, contentLength) {
      await client.send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: body, ContentType: contentType, ...(contentLength !== undefined ? { ContentLength: contentLength } : {}) }));
    },
    async get(url) {
      if (!url.startsWith(prefix)) throw new Error(`${url} is not in bucket ${settings.bucket}`);
      const out = await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: url.slice(prefix.length) }));
      return out.Body as Readable;
    },
  };
}

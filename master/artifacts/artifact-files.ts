// Where a stored artifact's bytes are: a file in <dataDir>/artifacts (every artifact arrives there
// first, in the transaction that records it), or an object in the bucket once the uploader moved it
// (artifacts.stored_at is then s3://bucket/key). Readers go through here and need not know which.
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Bucket } from './s3-bucket.js';

export interface ArtifactFiles {
  /** The content, or undefined when it is gone (pruned, or a bucket object without a bucket configured). */
  open(storedAt: string): Promise<Readable | undefined>;
}

export function createArtifactFiles(bucket: () => Promise<Bucket | undefined>): ArtifactFiles {
  return {
    async open(storedAt) {
      if (!storedAt.startsWith('s3://')) {
        // Opened now: the uploader may remove the file right after (the stream keeps reading it).
        const handle = await open(storedAt, 'r').catch(() => undefined);
        return handle?.createReadStream();
      }
      const b = await bucket();
      if (!b) return undefined;
      try {
        return await b.get(storedAt);
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
  };
}

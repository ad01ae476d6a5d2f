import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';

export interface SignatureHeaders {
  sha256?: string;
  sha1?: string;
}

export interface SignatureCheck {
  /** Feed the body's bytes as they arrive (a large body is hashed in step with reading, not in one long block). */
  update(chunk: Buffer): void;
  /** Whether the bytes fed carry a valid signature for any of the secrets. Call once, at the end. */
  valid(): boolean;
}

/**
 * A signature check over a body read in pieces. sha256 is checked when present (and then decides
 * alone); sha1 only for senders that give nothing else; neither: never valid.
 */
export function createSignatureCheck(secrets: readonly string[], headers: SignatureHeaders): SignatureCheck {
  const algorithm = headers.sha256 ? 'sha256' : headers.sha1 ? 'sha1' : undefined;
  const given = algorithm ? Buffer.from((algorithm === 'sha256' ? headers.sha256 : headers.sha1) as string) : undefined;
  const hmacs: Hmac[] = algorithm ? secrets.map((s) => createHmac(algorithm, s)) : [];
  return {
    update(chunk) {
      for (const h of hmacs) h.update(chunk);
    },
    valid() {
      if (!algorithm || !given) return false;
      return hmacs.some((h) => {
        const expected = Buffer.from(`${algorithm}=${h.digest('hex')}`);
        // timingSafeEqual needs equal lengths; a length mismatch reveals nothing secret.
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
    },
  };
}

import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignatureHeaders {
  sha256?: string;
  sha1?: string;
}

function matches(algorithm: 'sha256' | 'sha1', secret: string, body: Buffer, header: string): boolean {
  const expected = Buffer.from(`${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  // timingSafeEqual needs equal lengths; a length mismatch reveals nothing secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Does the raw body carry a valid signature for any of the secrets? sha256 is checked when
 * present (and then decides alone); sha1 only for senders that give nothing else.
 */
export function verifySignature(secrets: readonly string[], body: Buffer, headers: SignatureHeaders): boolean {
  if (headers.sha256) return secrets.some((s) => matches('sha256', s, body, headers.sha256 as string));
  if (headers.sha1) return secrets.some((s) => matches('sha1', s, body, headers.sha1 as string));
  return false;
}

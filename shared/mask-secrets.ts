// Secrets never leave a process unmasked. Output arrives in arbitrary chunks, so a secret can be
// split across two of them: the masker holds back any tail that could be the start of a secret
// and only releases text once it can no longer become part of one.

export const MASK = '***';

/** Replace every occurrence of each secret in `text`. Longer secrets first, so a secret that
 *  contains another is masked whole. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // includes() first: most text holds no secret, and split/join would copy it for nothing.
  for (const secret of sortedSecrets(secrets)) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

function sortedSecrets(secrets: readonly string[]): string[] {
  // Very short values would mask ordinary text everywhere ("1", "yes"); they are not secrets worth it.
  return [...new Set(secrets)].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

/** maskSecrets on UTF-8 bytes, without decoding them: the same result for valid UTF-8 (a secret's
 *  encoding can only match at character boundaries). Returns `data` itself when it holds no secret. */
export function maskSecretBytes(data: Buffer, secrets: readonly string[]): Buffer {
  return maskEncoded(data, encodedSecrets(secrets));
}

const MASK_BYTES = Buffer.from(MASK);

function encodedSecrets(secrets: readonly string[]): Buffer[] {
  return sortedSecrets(secrets).map((s) => Buffer.from(s, 'utf8')).sort((a, b) => b.length - a.length);
}

function maskEncoded(data: Buffer, secrets: readonly Buffer[]): Buffer {
  let out = data;
  for (const secret of secrets) {
    let at = out.indexOf(secret);
    if (at < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    for (; at >= 0; at = out.indexOf(secret, from)) {
      parts.push(out.subarray(from, at), MASK_BYTES);
      from = at + secret.length;
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return out;
}

/** A streaming masker for one log stream's bytes. */
export class SecretMasker {
  private readonly secrets: Buffer[];
  private readonly holdBack: number;
  private pending: Buffer = Buffer.alloc(0);

  constructor(secrets: readonly string[]) {
    this.secrets = encodedSecrets(secrets);
    this.holdBack = Math.max(0, ...this.secrets.map((s) => s.length - 1));
  }

  /** Feed a chunk; returns what is safe to release now (possibly empty). */
  push(chunk: Buffer): Buffer {
    if (this.secrets.length === 0) return chunk;
    const text = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const masked = maskEncoded(text, this.secrets);
    // Keep back the longest suffix that is a proper prefix of some secret (a copy: `masked` may be the caller's buffer).
    const keep = this.partialSuffixLength(masked);
    this.pending = Buffer.from(masked.subarray(masked.length - keep));
    return masked.subarray(0, masked.length - keep);
  }

  /** Release whatever is held back (end of stream). */
  flush(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }

  private partialSuffixLength(text: Buffer): number {
    const max = Math.min(this.holdBack, text.length);
    for (let len = max; len > 0; len--) {
      const suffix = text.subarray(text.length - len);
      if (this.secrets.some((s) => s.length > len && s.subarray(0, len).equals(suffix))) return len;
    }
    return 0;
  }
}

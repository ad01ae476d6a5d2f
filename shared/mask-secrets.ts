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

/** A streaming masker for one log stream. */
export class SecretMasker {
  private readonly secrets: string[];
  private readonly holdBack: number;
  private pending = '';

  constructor(secrets: readonly string[]) {
    this.secrets = sortedSecrets(secrets);
    this.holdBack = Math.max(0, ...this.secrets.map((s) => s.length - 1));
  }

  /** Feed a chunk; returns what is safe to release now (possibly ''). */
  push(chunk: string): string {
    if (this.secrets.length === 0) return chunk;
    const text = this.pending + chunk;
    const masked = maskSecrets(text, this.secrets);
    // Keep back the longest suffix that is a proper prefix of some secret.
    const keep = this.partialSuffixLength(masked);
    this.pending = masked.slice(masked.length - keep);
    return masked.slice(0, masked.length - keep);
  }

  /** Release whatever is held back (end of stream). */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }

  private partialSuffixLength(text: string): number {
    const max = Math.min(this.holdBack, text.length);
    for (let len = max; len > 0; len--) {
      const suffix = text.slice(text.length - len);
      if (this.secrets.some((s) => s.length > len && s.startsWith(suffix))) return len;
    }
    return 0;
  }
}

// A budget of bytes held at once across requests. Webhook bodies must be read whole before their
// signature can be checked, so whoever can reach the port (a public smee channel is enough) could
// otherwise make the master hold any amount: each body reserves its announced length first, and
// what does not fit is refused before a byte of it is read.
export interface ByteBudget {
  /** Reserve `bytes`; false (and nothing reserved) when they do not fit. */
  tryReserve(bytes: number): boolean;
  release(bytes: number): void;
  /** Bytes reserved now. */
  readonly used: number;
  readonly limit: number;
}

export function createByteBudget(limit: number): ByteBudget {
  let used = 0;
  return {
    tryReserve(bytes) {
      if (used + bytes > limit) return false;
      used += bytes;
      return true;
    },
    release(bytes) {
      used = Math.max(0, used - bytes);
    },
    get used() {
      return used;
    },
    limit,
  };
}

// A log that cannot be flooded: the first line of each key in a window is written in full (so a
// wrong secret or a full disk is seen at once), the rest are only counted and written as one
// summary line per window.
export interface RateLimitedLog {
  note(key: string, obj: Record<string, unknown>, msg: string): void;
  close(): void;
}

export interface RateLimitedLogOptions {
  /** Writes a line (a logger method, bound). */
  emit: (obj: object, msg: string) => void;
  /** The summary line's message, and the field its counts per key go in. */
  summary: string;
  countsField: string;
  windowMs?: number;
}

export function createRateLimitedLog({ emit, summary, countsField, windowMs = 60_000 }: RateLimitedLogOptions): RateLimitedLog {
  let counts = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    timer = undefined;
    const more = Object.fromEntries([...counts].filter(([, n]) => n > 1).map(([key, n]) => [key, n - 1]));
    counts = new Map();
    if (Object.keys(more).length > 0) emit({ [countsField]: more, windowSeconds: windowMs / 1000 }, summary);
  }

  return {
    note(key, obj, msg) {
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n === 1) emit(obj, msg);
      timer ??= setTimeout(flush, windowMs).unref();
    },
    close() {
      clearTimeout(timer);
      flush();
    },
  };
}

// Runs tasks concurrently, a bounded number at a time, while tasks that share a key run one after
// another in the order they were added. The change processor keys changes by pull request (or ref),
// so a later push is always decided and written after an earlier one, and a slow GitHub call for
// one pull request never holds another's.
//
// A task that fails blocks its key until the pool is next idle: later tasks of that key wait
// rather than overtake it, then are dropped (the caller adds them again on its next pass).

export interface OrderedPoolOptions<T> {
  /** How many tasks may run at once. */
  limit: number;
  /** Tasks with the same key run in the order added, never two at once (asked once per task, when added). */
  keyOf: (item: T) => string;
  /** An item added again while it waits or runs is ignored. */
  idOf: (item: T) => number | string;
  run: (item: T) => Promise<void>;
}

export interface OrderedPool<T> {
  add(item: T): void;
  /** How many tasks wait to start. */
  waiting(): number;
  /** Resolves when nothing runs or can run; rejects with the first failure since the pool was last idle. */
  idle(): Promise<void>;
}

export function createOrderedPool<T>(options: OrderedPoolOptions<T>): OrderedPool<T> {
  const { limit, keyOf, idOf, run } = options;
  const waiting: Array<{ item: T; key: string }> = [];
  const present = new Set<number | string>();
  const busyKeys = new Set<string>();
  const blockedKeys = new Set<string>();
  let running = 0;
  let failure: { error: unknown } | undefined;
  let waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  function startReady(): void {
    for (let i = 0; i < waiting.length && running < limit; ) {
      const { item, key } = waiting[i] as { item: T; key: string };
      // A key that is running or blocked holds every later task of that key in place.
      if (busyKeys.has(key) || blockedKeys.has(key)) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      start(item, key);
    }
  }

  function start(item: T, key: string): void {
    busyKeys.add(key);
    running++;
    Promise.resolve()
      .then(() => run(item))
      .catch((error: unknown) => {
        failure ??= { error };
        blockedKeys.add(key);
      })
      .finally(() => {
        running--;
        busyKeys.delete(key);
        present.delete(idOf(item));
        startReady();
        settleIfIdle();
      });
  }

  function settleIfIdle(): void {
    if (running > 0 || waiting.some((w) => !blockedKeys.has(w.key))) return;
    for (const w of waiting.splice(0)) present.delete(idOf(w.item));
    blockedKeys.clear();
    const settled = failure;
    failure = undefined;
    const told = waiters;
    waiters = [];
    for (const w of told) settled ? w.reject(settled.error) : w.resolve();
  }

  return {
    add(item) {
      const id = idOf(item);
      if (present.has(id)) return;
      present.add(id);
      waiting.push({ item, key: keyOf(item) });
      startReady();
    },
    waiting: () => waiting.length,
    idle() {
      if (running === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
  };
}

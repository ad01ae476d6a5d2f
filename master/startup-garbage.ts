// The master's start runs much code once only (config and API schemas, route registration), and V8
// keeps its bytecode (~4 MiB) until a function has aged through several collections or a forced
// one flushes it. Left alone, that waits for V8's memory reducer to find the process idle, so the
// idle master measured 75 or 84 MiB by turns (`npm run bench`). One forced collection just after
// start frees it at once; V8's next idle collection then hands the emptied pages back. Only a
// plain `gc()` flushes: node 20's `gc({ type: 'major' })` leaves the bytecode in place. Needs
// node's --expose-gc (bin/gatehouse.js); without it this does nothing.

const AFTER_MS = 1000;

/** Resolves after the collection. Its timer does not keep the process alive. */
export function collectStartupGarbage(gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc): Promise<void> {
  if (!gc) return Promise.resolve();
  return new Promise((resolve) => {
    setTimeout(() => {
      gc();
      resolve();
    }, AFTER_MS).unref();
  });
}

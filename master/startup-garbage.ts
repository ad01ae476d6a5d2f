// The master's start runs much code once only (config and API schemas, route registration), and V8
// keeps a function's bytecode until it has not run for several full collections (its
// --bytecode-old-age, 5). Left alone, V8 gets there whenever its memory reducer next finds the
// process idle, so the idle master measured 75 or 84 MiB by turns (`npm run bench`). A few full
// collections just after start free that code at once (~4 MiB of heap). Needs node's --expose-gc
// (bin/gatehouse.js); without it this does nothing.
import type { CollectGarbage } from './dispatch/frame-memory.js';

/** One more than V8's bytecode age limit, so startup-only bytecode is old enough to be flushed. */
const COLLECTIONS = 6;
const FIRST_AFTER_MS = 1000;
const BETWEEN_MS = 100;

/** Resolves after the last collection. Its timers do not keep the process alive. */
export function collectStartupGarbage(gc: CollectGarbage | undefined = (globalThis as { gc?: CollectGarbage }).gc): Promise<void> {
  if (!gc) return Promise.resolve();
  return new Promise((resolve) => {
    let done = 0;
    const collect = () => {
      gc({ type: 'major' });
      if (++done === COLLECTIONS) resolve();
      else setTimeout(collect, BETWEEN_MS).unref();
    };
    setTimeout(collect, FIRST_AFTER_MS).unref();
  });
}

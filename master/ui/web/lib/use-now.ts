// One shared clock for relative times ("3 min ago") and running durations: a single timer for the
// whole page, re-rendering only the components that show time.
import { useEffect, useState } from 'preact/hooks';

const TICK_MS = 10_000;
const listeners = new Set<(now: number) => void>();
let timer: ReturnType<typeof setInterval> | undefined;

export function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    listeners.add(setNow);
    timer ??= setInterval(() => {
      const t = Date.now();
      for (const l of listeners) l(t);
    }, TICK_MS);
    return () => {
      listeners.delete(setNow);
      if (listeners.size === 0) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  }, []);
  return now;
}

// Data that follows the live stream: loaded once, then reloaded when an event says it changed.
// Reloads are coalesced (one in flight, at most one queued) and keep showing the previous data
// meanwhile, so nothing flickers or jumps.
import { useEffect, useRef, useState } from 'preact/hooks';
import { subscribe, type LiveEvent } from './events';

export interface Live<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * `load` fetches the data; `relevant` says whether an event concerns it (a `resync` always does).
 * `key` identifies what is shown: when it changes, the old data is dropped at once.
 */
export function useLive<T>(key: string, load: (signal: AbortSignal) => Promise<T>, relevant: (e: LiveEvent) => boolean): Live<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: Error; loading: boolean }>({ key, loading: true });
  const loadRef = useRef(load);
  const relevantRef = useRef(relevant);
  loadRef.current = load;
  relevantRef.current = relevant;
  const reloadRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    const controller = new AbortController();
    let busy = false;
    let queued = false;
    const run = async () => {
      if (busy) {
        queued = true;
        return;
      }
      busy = true;
      do {
        queued = false;
        try {
          const data = await loadRef.current(controller.signal);
          if (!controller.signal.aborted) setState({ key, data, loading: false });
        } catch (error) {
          if (controller.signal.aborted) return;
          setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: error as Error, loading: false }));
        }
      } while (queued && !controller.signal.aborted);
      busy = false;
    };
    reloadRef.current = () => void run();
    setState((s) => (s.key === key ? s : { key, loading: true }));
    void run();
    const off = subscribe((e) => {
      if (e.type === 'resync' || relevantRef.current(e)) void run();
    });
    return () => {
      off();
      controller.abort();
    };
  }, [key]);

  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current || state.loading,
    reload: () => reloadRef.current(),
  };
}

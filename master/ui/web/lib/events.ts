// The one live stream: GET /api/v2/events (SSE). Every page subscribes here; nothing polls. After
// the stream drops and comes back, subscribers get a `resync` (they reload what they show, since
// events sent meanwhile are lost).
import type { ApiEvent, ApiEventType } from '../../../api/schemas';

/** Every event type, listened to by name (a Record, so a type added to the schema fails to compile here). */
const EVENT_TYPES: Record<ApiEventType, true> = { build: true, 'cancel-requested': true, step: true, log: true, worker: true, delivery: true, queue: true };

export type LiveEvent = ApiEvent | { type: 'resync' };
export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

type Listener = (event: LiveEvent) => void;
const listeners = new Set<Listener>();
const statusListeners = new Set<(s: StreamStatus) => void>();
let source: EventSource | null = null;
let status: StreamStatus = 'connecting';
let everOpen = false;
let retry: ReturnType<typeof setTimeout> | undefined;
let retryDelay = 1000;

function setStatus(next: StreamStatus): void {
  status = next;
  for (const l of statusListeners) l(next);
}

function dispatch(event: LiveEvent): void {
  for (const l of [...listeners]) l(event);
}

function open(): void {
  source = new EventSource('api/v2/events');
  source.onopen = () => {
    retryDelay = 1000;
    if (everOpen) dispatch({ type: 'resync' });
    everOpen = true;
    setStatus('live');
  };
  source.onerror = () => {
    setStatus('reconnecting');
    // EventSource retries by itself after a dropped connection, but gives up for good after an
    // HTTP error answer: then start a fresh one, backing off.
    if (source?.readyState === EventSource.CLOSED) {
      source = null;
      clearTimeout(retry);
      retry = setTimeout(open, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30_000);
    }
  };
  for (const type of Object.keys(EVENT_TYPES)) {
    source.addEventListener(type, (e) => {
      try {
        dispatch(JSON.parse((e as MessageEvent<string>).data) as ApiEvent);
      } catch {
        // A malformed event is ignored; the next resync repairs the view.
      }
    });
  }
}

/** Listen to every live event; returns the unsubscribe function. Opens the stream on first use. */
export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (!source && retry === undefined) open();
  return () => void listeners.delete(listener);
}

export function onStatus(listener: (s: StreamStatus) => void): () => void {
  statusListeners.add(listener);
  listener(status);
  return () => void statusListeners.delete(listener);
}

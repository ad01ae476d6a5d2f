// In-process notifications between the master's parts (dispatch wakes up, the UI stream and the
// reporter follow along). One bus per master instance, passed in: no global emitter.
import { EventEmitter } from 'node:events';
import type { BuildRow } from './store/build-store.js';
import type { ApiEvent } from './api/schemas/events.js';

/** The API's events (master/api/schemas/events.ts), but a build travels as its whole row in-process. */
export type MasterEvent = Exclude<ApiEvent, { type: 'build' }> | { type: 'build'; build: BuildRow };

export interface EventBus {
  emit(event: MasterEvent): void;
  on(listener: (event: MasterEvent) => void): () => void;
}

export function createEventBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    emit: (event) => void emitter.emit('event', event),
    on(listener) {
      emitter.on('event', listener);
      return () => void emitter.off('event', listener);
    },
  };
}

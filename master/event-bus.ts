// In-process notifications between the master's parts (dispatch wakes up, the UI stream and the
// reporter follow along). One bus per master instance, passed in: no global emitter.
import { EventEmitter } from 'node:events';
import type { BuildRow } from './queue/build-store.js';

export type MasterEvent =
  | { type: 'build'; build: BuildRow }
  | { type: 'cancel-requested'; buildId: number; reason: string }
  | { type: 'step'; buildId: number; step: string }
  | { type: 'log'; buildId: number; step: string; bytes: number }
  | { type: 'worker'; name: string }
  | { type: 'delivery'; id: string }
  | { type: 'queue' };

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

import type { MasterMessage } from '../../shared/protocol.js';

/** A connected worker, as the master sees it. */
export interface WorkerSession {
  name: string;
  instanceId: string;
  version: string;
  arch: string[];
  labels: string[];
  images: string[];
  slots: number;
  connectedAt: number;
  /** Builds this worker runs now. */
  running: Set<number>;
  send(message: MasterMessage): void;
  close(code: number, reason: string): void;
}

/** The connected workers by name; one instance per master. */
export type WorkerSessions = Map<string, WorkerSession>;

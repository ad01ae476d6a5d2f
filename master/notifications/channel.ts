// A way a notice reaches people. Each channel sends one message per call and throws when it was
// not taken, so the outbox tries it again later.
import type { Notice } from './notice.js';

export interface Channel {
  /** The outbox's name for it: stable across restarts (email, irc, webhook:<hash>). */
  id: string;
  /** What `gatehouse notify test` and the logs call it (no secrets: a webhook's URL is not shown). */
  label: string;
  send(notice: Notice): Promise<void>;
}

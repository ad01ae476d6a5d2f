// The effects of a worker's sequenced messages, each applied exactly once and strictly in order
// (see sequence-order.ts): the worker's last stored seq moves in the same transaction as the
// effect, a seq seen before is only acked, and one past a gap is not applied at all.
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SequencedMessage } from '../../shared/protocol.js';
import { maskSecrets } from '../../shared/mask-secrets.js';
import type { Db } from '../queue/open-database.js';
import type { BuildRow, BuildStore } from '../queue/build-store.js';
import type { LogStore } from '../logs/log-store.js';
import type { EventBus } from '../event-bus.js';
import type { Logger } from '../../shared/logger.js';
import type { UploadStaging } from '../artifacts/upload-staging.js';
import { sequenceOrder } from './sequence-order.js';

export interface ApplierDeps {
  db: Db;
  builds: BuildStore;
  logs: LogStore;
  artifactsDir: string;
  /** Where large artifacts wait for their message. */
  uploads: UploadStaging;
  logger: Pick<Logger, 'warn'>;
  bus: EventBus;
  now: () => number;
  /** Secrets masked again here, whatever the worker did. */
  secrets: () => readonly string[];
  /** Called inside the transaction that ends a build, so what follows from it is as durable. */
  onFinished?: (build: BuildRow) => void;
  /** After an artifact was stored (the S3 uploader moves file artifacts to the bucket). */
  onArtifact?: () => void;
}

/** 'gap': not applied, an earlier seq is missing (the connection must end so the worker resends it). */
export type ApplyResult = 'applied' | 'duplicate' | 'not-yours' | 'gap';

export interface ApplyOptions {
  /** The first sequenced message of this connection (see sequenceOrder's 'lost'). */
  firstOfSession?: boolean;
}

export function createMessageApplier(deps: ApplierDeps) {
  const { db, builds, logs, bus, now } = deps;
  const lastSeq = db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM workers WHERE name = ?');
  const setLastSeq = db.prepare<[number, number, string]>('UPDATE workers SET last_seq = ?, last_seen = ? WHERE name = ?');
  const stepStarted = db.prepare(
    `INSERT INTO steps (build_id, step, name, state, started_at) VALUES (?, ?, ?, 'running', ?)
     ON CONFLICT (build_id, step) DO UPDATE SET state = 'running', started_at = excluded.started_at`,
  );
  const stepBytes = db.prepare<[number, string], { log_bytes: number }>('SELECT log_bytes FROM steps WHERE build_id = ? AND step = ?');
  const ensureStep = db.prepare(`INSERT OR IGNORE INTO steps (build_id, step, name, state) VALUES (?, ?, ?, 'running')`);
  const setBytes = db.prepare<[number, number, string]>('UPDATE steps SET log_bytes = ? WHERE build_id = ? AND step = ?');
  const stepFinished = db.prepare(
    `INSERT INTO steps (build_id, step, name, state, result, exit_code, reason, finished_at, duration_ms)
     VALUES (@build_id, @step, @name, 'finished', @result, @exit_code, @reason, @at, @duration_ms)
     ON CONFLICT (build_id, step) DO UPDATE SET state = 'finished', result = excluded.result, exit_code = excluded.exit_code,
       reason = excluded.reason, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms`,
  );
  const setImage = db.prepare<[string, string | null, number, number]>('UPDATE builds SET image = ?, image_version = ?, image_used_at = ? WHERE id = ?');
  const insertArtifact = db.prepare(
    'INSERT INTO artifacts (build_id, step, kind, path, size, stored_at, created_at, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );

  function artifactPath(buildId: number, relative: string): string {
    const clean = path.posix.normalize(relative.replaceAll('\\', '/')).replace(/^(\.\.\/|\/)+/, '');
    if (clean.split('/').includes('..') || clean === '' || clean === '.') throw new Error(`bad artifact path "${relative}"`);
    return path.join(deps.artifactsDir, String(buildId), clean);
  }

  return function apply(worker: string, msg: SequencedMessage, options: ApplyOptions = {}): ApplyResult {
    const last = lastSeq.get(worker)?.last_seq ?? 0;
    const order = sequenceOrder(msg.seq, last, options.firstOfSession ?? false);
    if (order === 'duplicate' || order === 'gap') return order;
    if (order === 'lost') deps.logger.warn({ worker, lastSeq: last, seq: msg.seq }, `worker ${worker} no longer holds messages ${last + 1}..${msg.seq - 1}, which this master acknowledged and then lost (a restored database?); going on from ${msg.seq}`);
    const build = builds.get(msg.buildId);
    const mine = build !== undefined && build.worker === worker && build.state === 'running';
    let emitted: (() => void) | undefined;
    db.transaction(() => {
      setLastSeq.run(msg.seq, now(), worker);
      if (!mine) return; // a build the master already ended, or another worker's: nothing to store
      switch (msg.type) {
        case 'step.started':
          stepStarted.run(msg.buildId, msg.step, msg.name, msg.at);
          emitted = () => bus.emit({ type: 'step', buildId: msg.buildId, step: msg.step });
          break;
        case 'log': {
          ensureStep.run(msg.buildId, msg.step, msg.step);
          const committed = stepBytes.get(msg.buildId, msg.step)?.log_bytes ?? 0;
          const data = maskSecrets(msg.data, deps.secrets());
          const size = logs.append(msg.buildId, msg.step, committed, { seq: msg.seq, stream: msg.stream, data });
          setBytes.run(size, msg.buildId, msg.step);
          emitted = () => bus.emit({ type: 'log', buildId: msg.buildId, step: msg.step, bytes: size });
          break;
        }
        case 'step.finished':
          stepFinished.run({ build_id: msg.buildId, step: msg.step, name: msg.step, result: msg.result, exit_code: msg.exitCode, reason: msg.reason ?? null, at: now(), duration_ms: Math.round(msg.durationMs) });
          emitted = () => bus.emit({ type: 'step', buildId: msg.buildId, step: msg.step });
          break;
        case 'artifact': {
          const file = artifactPath(msg.buildId, msg.path);
          let size: number;
          if (msg.upload) {
            const { id } = msg.upload;
            if (!deps.uploads.linkTo(id, msg.buildId, file)) {
              // Only a hand or another build's upload id gets here (the sweep spares running builds'
              // uploads); the message cannot bring the bytes back.
              deps.logger.warn({ build: msg.buildId, path: msg.path, upload: id }, 'artifact names an upload the master does not have; not stored');
              break;
            }
            size = statSync(file).size;
          } else {
            const content = Buffer.from(msg.content ?? '', 'base64');
            mkdirSync(path.dirname(file), { recursive: true });
            // A new file, renamed over any earlier one of the same path: a reader (the S3 mover, a
            // download) holding the earlier one open keeps reading it whole, never a torn mix.
            const fresh = `${file}.${msg.seq}.new`;
            writeFileSync(fresh, content);
            renameSync(fresh, file);
            size = content.length;
          }
          insertArtifact.run(msg.buildId, msg.step, msg.kind, msg.path, size, file, now(), msg.mode ?? null);
          emitted = () => {
            // Linked and committed: the staged name is no longer needed.
            if (msg.upload) deps.uploads.remove(msg.upload.id);
            if (msg.kind === 'file') deps.onArtifact?.();
          };
          break;
        }
        case 'build.finished':
          if (msg.image) setImage.run(msg.image.image, msg.image.version ?? null, msg.image.at, msg.buildId);
          if (builds.finish(msg.buildId, msg.result, msg.reason ?? null)) deps.onFinished?.(builds.get(msg.buildId) as BuildRow);
          emitted = () => bus.emit({ type: 'build', build: builds.get(msg.buildId) as BuildRow });
          break;
      }
    })();
    emitted?.();
    return mine ? 'applied' : 'not-yours';
  };
}
export type MessageApplier = ReturnType<typeof createMessageApplier>;

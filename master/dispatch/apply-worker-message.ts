// The effects of a worker's sequenced messages, each applied exactly once and strictly in order
// (see sequence-order.ts): the worker's last stored seq moves in the same transaction as the
// effect, a seq seen before is only acked, and one past a gap is not applied at all.
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SequencedRecord } from '../../shared/protocol.js';
import { maskSecretBytes } from '../../shared/mask-secrets.js';
import type { BuildRow } from '../store/build-store.js';
import type { Stores } from '../store/stores.js';
import type { LogStore } from '../logs/log-store.js';
import type { EventBus } from '../event-bus.js';
import type { Logger } from '../../shared/logger.js';
import type { UploadStaging } from '../artifacts/upload-staging.js';
import { sequenceOrder } from './sequence-order.js';
import { resultAfterCancel } from '../triggers/cancel-result.js';

export interface ApplierDeps {
  stores: Stores;
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
  /** A finished build said how its VM was had and how long that took (the VM start metric). */
  onVmStart?: (builder: string, start: 'boot' | 'pool' | 'restore', ms: number) => void;
}

/** 'gap': not applied, an earlier seq is missing (the connection must end so the worker resends it). */
export type ApplyResult = 'applied' | 'duplicate' | 'not-yours' | 'gap';

export interface ApplyOptions {
  /** The first sequenced message of this connection (see sequenceOrder's 'lost'). */
  firstOfSession?: boolean;
}

export function createMessageApplier(deps: ApplierDeps) {
  const { stores, logs, bus, now } = deps;
  const { builds, steps, workers, artifacts } = stores;

  function artifactPath(buildId: number, relative: string): string {
    const clean = path.posix.normalize(relative.replaceAll('\\', '/')).replace(/^(\.\.\/|\/)+/, '');
    if (clean.split('/').includes('..') || clean === '' || clean === '.') throw new Error(`bad artifact path "${relative}"`);
    return path.join(deps.artifactsDir, String(buildId), clean);
  }

  return function apply(worker: string, msg: SequencedRecord, options: ApplyOptions = {}): ApplyResult {
    const last = workers.get(worker)?.last_seq ?? 0;
    const order = sequenceOrder(msg.seq, last, options.firstOfSession ?? false);
    if (order === 'duplicate' || order === 'gap') return order;
    if (order === 'lost') deps.logger.warn({ worker, lastSeq: last, seq: msg.seq }, `worker ${worker} no longer holds messages ${last + 1}..${msg.seq - 1}, which this master acknowledged and then lost (a restored database?); going on from ${msg.seq}`);
    const build = builds.get(msg.buildId);
    const mine = build !== undefined && build.worker === worker && build.state === 'running';
    let emitted: (() => void) | undefined;
    stores.transaction(() => {
      workers.setLastSeq(worker, msg.seq, now());
      if (!mine) return; // a build the master already ended, or another worker's: nothing to store
      switch (msg.type) {
        case 'step.started':
          steps.markStarted(msg.buildId, msg.step, msg.name, msg.at);
          emitted = () => bus.emit({ type: 'step', buildId: msg.buildId, step: msg.step });
          break;
        case 'log': {
          steps.ensureRunning(msg.buildId, msg.step, msg.step);
          const committed = steps.state(msg.buildId, msg.step)?.log_bytes ?? 0;
          const data = maskSecretBytes(msg.data, deps.secrets());
          const size = logs.append(msg.buildId, msg.step, committed, { seq: msg.seq, stream: msg.stream, data });
          steps.setLogBytes(msg.buildId, msg.step, size);
          emitted = () => bus.emit({ type: 'log', buildId: msg.buildId, step: msg.step, bytes: size });
          break;
        }
        case 'step.finished':
          steps.markFinished({ buildId: msg.buildId, step: msg.step, name: msg.step, result: msg.result, exitCode: msg.exitCode, reason: msg.reason ?? null, at: now(), durationMs: Math.round(msg.durationMs) });
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
          artifacts.insert({ buildId: msg.buildId, step: msg.step, kind: msg.kind, path: msg.path, size, storedAt: file, at: now(), mode: msg.mode ?? null });
          emitted = () => {
            // Linked and committed: the staged name is no longer needed.
            if (msg.upload) deps.uploads.remove(msg.upload.id);
            if (msg.kind === 'file') deps.onArtifact?.();
          };
          break;
        }
        case 'build.finished':
          if (msg.image) builds.setImage(msg.buildId, msg.image.image, msg.image.version ?? null, msg.image.at);
          {
            const final = resultAfterCancel(msg.result, builds.get(msg.buildId)?.cancel_requested ?? null);
            if (builds.finish(msg.buildId, final.result, final.reason ?? msg.reason ?? null)) deps.onFinished?.(builds.get(msg.buildId) as BuildRow);
          }
          emitted = () => {
            const build = builds.get(msg.buildId) as BuildRow;
            if (msg.image?.start && msg.image.startMs !== undefined) deps.onVmStart?.(build.builder, msg.image.start, msg.image.startMs);
            bus.emit({ type: 'build', build });
          };
          break;
      }
    });
    emitted?.();
    return mine ? 'applied' : 'not-yours';
  };
}
export type MessageApplier = ReturnType<typeof createMessageApplier>;

// The master's end of the worker protocol (see shared/protocol.ts): authenticates workers on the
// upgrade, greets them, applies their messages exactly once and in order, watches their liveness,
// and deals with the builds of workers that do not come back within their grace period. A message
// that cannot be stored (a full disk) ends the connection with TRY_AGAIN and nothing after it is
// applied: the worker keeps it unacked and sends it again after its reconnect backoff.
import { bearerMatches } from '../bearer-token.js';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import type {} from '@fastify/websocket';
import type { Config } from '../../shared/config.js';
import { PROTOCOL_VERSION, WORKER_ARTIFACTS_PATH, WORKER_NAME_HEADER, WORKER_PATH, WORKER_UPLOADS_PATH, UPLOAD_SHA256_TRAILER, UPLOAD_SIZE_HEADER, type Hello, type MasterMessage } from '../../shared/protocol.js';
import type { BuildRow } from '../store/build-store.js';
import type { Stores } from '../store/stores.js';
import type { EventBus } from '../event-bus.js';
import type { Logger } from '../../shared/logger.js';
import type { WorkerSession, WorkerSessions } from './worker-session.js';
import type { Dispatcher } from './dispatcher.js';
import type { MessageApplier } from './apply-worker-message.js';
import { LOG_FRAMES_FEATURE, parseWorkerWire } from '../../shared/protocol.js';
import { createDownloadGrant } from './download-grant.js';
import { createFrameMemory } from './frame-memory.js';
import type { ArtifactFiles } from '../artifacts/artifact-files.js';
import { UPLOAD_DISK_RESERVE, UploadMismatchError, UploadTooLargeError, type UploadStaging } from '../artifacts/upload-staging.js';
import { createStorageAlarm, storageFailure } from '../storage-full.js';
import { downloadContent, downloadParams, uploadedFile, uploadQuery, workerErrors } from '../api/schemas/worker-files.js';
import { resultAfterCancel } from '../triggers/cancel-result.js';

export interface WorkerHubDeps {
  stores: Stores;
  config: Config;
  sessions: WorkerSessions;
  dispatcher: Dispatcher;
  apply: MessageApplier;
  /** Reads stored artifacts (directory or bucket), for steps' `download`. */
  artifactFiles: ArtifactFiles;
  /** Where large artifacts are streamed before their message (WORKER_UPLOADS_PATH). */
  uploads: UploadStaging;
  bus: EventBus;
  logger: Logger;
  now: () => number;
  /** Ping interval; a worker that misses two pongs is dropped (default 10 s). */
  pingIntervalMs?: number;
}

/** WebSocket 1013 "Try Again Later": the worker dials again after its backoff and resends what is unacked. */
export const TRY_AGAIN = 1013;
/** Background work that failed to store (a full disk) runs again after this long. */
const STORAGE_RETRY_MS = 5_000;
/** An upload that sends nothing for this long is dropped (the worker tries it again). */
const UPLOAD_IDLE_MS = 120_000;

export function createWorkerHub(deps: WorkerHubDeps) {
  const { stores, config, sessions, dispatcher, bus, logger, now } = deps;
  const { builds, workers } = stores;
  const alarm = createStorageAlarm(logger);
  const graceTimers = new Map<string, NodeJS.Timeout>();
  // Uploads in progress: ended at shutdown, which would otherwise wait for them.
  const uploading = new Set<IncomingMessage>();
  // Set on shutdown: sockets close after the database does, and must not touch it then.
  let closed = false;
  const mayDownload = createDownloadGrant(stores.artifacts, config);
  const frameReceived = createFrameMemory();

  function authenticate(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    const name = request.headers[WORKER_NAME_HEADER];
    const worker = typeof name === 'string' ? config.workers.find((w) => w.name === name) : undefined;
    if (!worker || !bearerMatches(request.headers.authorization, worker.secret)) {
      logger.warn({ worker: name, ip: request.ip }, 'worker refused: unknown name or wrong secret');
      void reply.code(401).send({ error: 'unknown worker name or wrong secret' });
      return;
    }
    done();
  }

  /** A worker that is gone for good: its builds end, or are queued again if nothing ran yet. */
  function buildLost(build: BuildRow, why: string): void {
    const request = stores.requests.get(build.request_id);
    if (build.cancel_requested) builds.finish(build.id, resultAfterCancel('cancelled', build.cancel_requested).result, build.cancel_requested);
    else if (stores.steps.startedCount(build.id) === 0 && (request?.attempts ?? 0) < 2) {
      builds.requeue(build);
      logger.warn({ build: build.id }, `${why}: no step had started, queued again`);
    } else builds.finish(build.id, 'error', why);
    bus.emit({ type: 'build', build: builds.get(build.id) as BuildRow });
  }

  function startGrace(name: string): void {
    const worker = config.workers.find((w) => w.name === name);
    clearTimeout(graceTimers.get(name));
    const expire = () => {
      graceTimers.delete(name);
      if (sessions.has(name) || closed) return;
      try {
        stores.transaction(() => builds.runningOn(name).forEach((b) => buildLost(b, `worker ${name} lost`)));
      } catch (error) {
        if (!storageFailure(error)) throw error;
        alarm.failed('ending the builds of a lost worker', error, { worker: name });
        graceTimers.set(name, setTimeout(expire, STORAGE_RETRY_MS));
        return;
      }
      dispatcher.wake();
    };
    graceTimers.set(name, setTimeout(expire, worker?.gracePeriod ?? 60_000));
  }

  function greet(socket: WebSocket, hello: Hello, close: WorkerSession['close']): WorkerSession | null {
    const send = (m: MasterMessage) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(m));
    if (hello.protocol !== PROTOCOL_VERSION) {
      const upgrade = hello.protocol < PROTOCOL_VERSION ? 'upgrade the worker' : 'upgrade the master';
      send({ type: 'refused', reason: `protocol ${hello.protocol} is not the master's ${PROTOCOL_VERSION}: ${upgrade}` });
      socket.close(4000, 'protocol mismatch');
      return null;
    }
    sessions.get(hello.name)?.close(4001, 'replaced by a new connection');
    clearTimeout(graceTimers.get(hello.name));
    graceTimers.delete(hello.name);
    const previous = workers.get(hello.name);
    const sameInstance = previous?.instance_id === hello.instanceId;
    stores.transaction(() => {
      if (!sameInstance) {
        // The worker restarted: whatever it ran before is gone.
        for (const b of builds.runningOn(hello.name)) buildLost(b, `worker ${hello.name} restarted`);
      }
      workers.markConnected({ name: hello.name, instanceId: hello.instanceId, at: now(), version: hello.version, slots: hello.slots, arch: JSON.stringify(hello.arch), labels: JSON.stringify(hello.labels), images: JSON.stringify(hello.images) });
      if (hello.imageVersions) workers.setImageVersions(hello.name, JSON.stringify(hello.imageVersions));
    });
    const running = new Set(builds.runningOn(hello.name).map((b) => b.id));
    const cancel = hello.running.filter((id) => {
      const b = builds.get(id);
      return !b || b.state === 'finished' || b.worker !== hello.name || b.cancel_requested !== null;
    });
    const session: WorkerSession = {
      name: hello.name, instanceId: hello.instanceId, version: hello.version, arch: hello.arch, labels: hello.labels,
      images: hello.images, slots: hello.slots, connectedAt: now(), running, send,
      close,
    };
    sessions.set(hello.name, session);
    send({ type: 'welcome', protocol: PROTOCOL_VERSION, ackedSeq: sameInstance ? (previous?.last_seq ?? 0) : 0, cancel, features: ['images', 'uploads', LOG_FRAMES_FEATURE] });
    logger.info({ worker: hello.name, version: hello.version, slots: hello.slots, resumed: sameInstance, running: [...running] }, 'worker connected');
    bus.emit({ type: 'worker', name: hello.name });
    dispatcher.wake();
    return session;
  }

  function onConnection(socket: WebSocket, request: FastifyRequest): void {
    const name = request.headers[WORKER_NAME_HEADER] as string;
    let session: WorkerSession | null = null;
    let alive = true;
    const pinger = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, deps.pingIntervalMs ?? 10_000);
    // Set synchronously when this connection must apply nothing more: messages already received
    // behind a failed or out-of-order one are dropped unacked, and the worker sends them again.
    let halted = false;
    let sequencedSeen = false;
    // Acks are cumulative: the messages of one read off the socket (a worker's step.finished and
    // build.finished, a burst of log chunks) get one ack, the highest seq, once they are all applied.
    let ackDue: number | undefined;
    const sendAck = () => {
      if (ackDue !== undefined) session?.send({ type: 'ack', seq: ackDue });
      ackDue = undefined;
    };
    const ack = (seq: number) => {
      if (ackDue === undefined) queueMicrotask(sendAck);
      ackDue = Math.max(ackDue ?? 0, seq); // a re-sent duplicate must not lower it
    };
    const halt = (code: number, reason: string) => {
      sendAck(); // what was applied before stays acked
      halted = true;
      socket.close(code, reason);
    };
    socket.on('pong', () => (alive = true));
    socket.on('message', (raw, isBinary) => {
      alive = true;
      if (closed || halted) return;
      let seq: number | undefined;
      try {
        const message = parseWorkerWire(raw as Buffer, isBinary);
        if (isBinary) frameReceived((raw as Buffer).length);
        if (message.type === 'hello') {
          if (message.name !== name) throw new Error(`hello names "${message.name}" but the connection authenticated as "${name}"`);
          session = greet(socket, message, halt);
          return;
        }
        if (!session) throw new Error('message before hello');
        if (message.type === 'images') {
          workers.setImageVersions(name, JSON.stringify(message.imageVersions));
          bus.emit({ type: 'worker', name });
          return;
        }
        seq = message.seq;
        const result = deps.apply(name, message, { firstOfSession: !sequencedSeen });
        sequencedSeen = true;
        if (result === 'gap') {
          logger.warn({ worker: name, seq }, 'message from worker arrived out of order; closing so it sends again from the first one missing');
          return halt(TRY_AGAIN, 'out of order: send again');
        }
        ack(message.seq);
        if (message.type === 'build.finished') {
          session.running.delete(message.buildId);
          dispatcher.wake();
        }
      } catch (error) {
        if (storageFailure(error)) {
          alarm.failed('storing a message from a worker', error, { worker: name, seq });
          return halt(TRY_AGAIN, 'storage failed: send again later');
        }
        logger.warn({ worker: name, seq, err: (error as Error).message }, 'bad message from worker; closing');
        halt(4002, 'bad message');
      }
    });
    socket.on('close', () => {
      clearInterval(pinger);
      if (closed || !session || sessions.get(name) !== session) return;
      sessions.delete(name);
      try {
        workers.markDisconnected(name, now());
      } catch (error) {
        // Only the API's "connected" flag is stale; the next hello or start sets it again.
        if (!storageFailure(error)) throw error;
        alarm.failed('recording a worker disconnect', error, { worker: name });
      }
      logger.warn({ worker: name, running: [...session.running] }, 'worker disconnected');
      bus.emit({ type: 'worker', name });
      if (builds.runningOn(name).length > 0) startGrace(name);
    });
  }

  return {
    async routes(app: FastifyInstance): Promise<void> {
      app.get(WORKER_PATH, { websocket: true, preValidation: authenticate }, (socket, request) => onConnection(socket as unknown as WebSocket, request));
      // Another build's artifacts for a step's `download`: workers only, with the same credentials,
      // and only what a download of a build running on that worker names.
      app.get<{ Params: z.infer<typeof downloadParams> }>(
        `${WORKER_ARTIFACTS_PATH}/:id`,
        { preValidation: authenticate, schema: { params: downloadParams, response: { 200: downloadContent, ...workerErrors(400, 401, 403, 404, 500) } } },
        async (req, reply) => {
          const name = req.headers[WORKER_NAME_HEADER] as string;
          if (!mayDownload(builds.runningOn(name), req.params.id)) {
            logger.warn({ worker: name, artifact: req.params.id }, 'artifact download refused: no build running on this worker downloads it');
            return reply.code(403).send({ error: `artifact ${req.params.id} is not among the downloads of a build running on worker ${name}` });
          }
          const artifact = stores.artifacts.fileById(req.params.id);
          const content = artifact ? await deps.artifactFiles.open(artifact.stored_at) : undefined;
          if (!artifact || !content) return reply.code(404).send({ error: `no artifact ${req.params.id}` });
          return reply.type('application/octet-stream').header('content-length', artifact.size).send(content);
        },
      );
      // A large artifact's bytes, before the message that records it. The body is streamed to disk
      // (no parser reads it here), from a worker running that build only.
      await app.register(async (scope) => {
        scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
        scope.put<{ Querystring: z.infer<typeof uploadQuery> }>(
          WORKER_UPLOADS_PATH,
          { onRequest: authenticate, schema: { querystring: uploadQuery, response: { 201: uploadedFile, ...workerErrors(400, 401, 409, 413, 422, 500, 503, 507) } } },
          async (req, reply) => {
            const name = req.headers[WORKER_NAME_HEADER] as string;
            const build = builds.get(req.query.build);
            // The body is left unread on a refusal: the connection goes with the answer.
            const refuse = (code: number, error: string) => reply.code(code).header('connection', 'close').send({ error });
            if (!build || build.worker !== name || build.state !== 'running') return refuse(409, `build ${req.query.build} is not running on worker ${name}`);
            const { maxFileMiB } = config.artifacts;
            const maxBytes = maxFileMiB * 1024 * 1024;
            const sizeHeader = req.headers[UPLOAD_SIZE_HEADER];
            const declared = typeof sizeHeader === 'string' && /^[0-9]+$/.test(sizeHeader) ? Number(sizeHeader) : undefined;
            if (declared !== undefined && declared > maxBytes) return refuse(413, `${declared} bytes is over artifacts.maxFileMiB (${maxFileMiB} MiB)`);
            // A full data disk would stop every build's messages (SQLite shares it): 507, which the
            // worker tries again for a while (retention or an operator may free space meanwhile).
            const free = await deps.uploads.freeBytes();
            if (declared !== undefined && free - declared < UPLOAD_DISK_RESERVE) {
              logger.warn({ worker: name, build: build.id, declared, free }, 'artifact upload refused: the data disk is nearly full');
              return refuse(507, `${declared} bytes would leave less than ${UPLOAD_DISK_RESERVE / 1024 ** 3} GiB free on the master's data disk (${free} bytes free)`);
            }
            // A worker that stops sending (a half-open connection) must not hold a file open for ever.
            req.raw.setTimeout(UPLOAD_IDLE_MS, () => req.raw.destroy(new Error(`no bytes for ${UPLOAD_IDLE_MS / 1000} s`)));
            uploading.add(req.raw);
            try {
              const stored = await deps.uploads.receive(req.raw, {
                buildId: build.id,
                maxBytes,
                expected: () => {
                  const sha256 = req.raw.trailers[UPLOAD_SHA256_TRAILER];
                  return { ...(declared !== undefined ? { size: declared } : {}), ...(sha256 ? { sha256 } : {}) };
                },
              });
              return reply.code(201).send(stored);
            } catch (error) {
              if (error instanceof UploadTooLargeError) return refuse(413, `over artifacts.maxFileMiB (${maxFileMiB} MiB)`);
              if (error instanceof UploadMismatchError) return reply.code(422).send({ error: error.message });
              logger.warn({ worker: name, build: build.id, err: (error as Error).message }, 'artifact upload failed');
              throw error;
            } finally {
              uploading.delete(req.raw);
            }
          },
        );
      });
    },
    /** At start: every worker is disconnected; builds they ran get their grace period. */
    recover(): void {
      try {
        workers.markAllDisconnected();
      } catch (error) {
        // Started on a full disk: the flags are stale until each worker's hello.
        if (!storageFailure(error)) throw error;
        alarm.failed('marking workers disconnected at start', error);
      }
      const names = new Set(builds.running().map((b) => b.worker));
      for (const worker of names) startGrace(worker);
    },
    cancel(buildId: number, reason: string): void {
      const build = builds.get(buildId);
      if (build?.worker) sessions.get(build.worker)?.send({ type: 'build.cancel', buildId, reason });
    },
    close(): void {
      closed = true;
      for (const t of graceTimers.values()) clearTimeout(t);
      alarm.close();
      for (const s of sessions.values()) s.close(1001, 'master shutting down');
      for (const upload of uploading) upload.destroy(new Error('master shutting down'));
    },
  };
}
export type WorkerHub = ReturnType<typeof createWorkerHub>;

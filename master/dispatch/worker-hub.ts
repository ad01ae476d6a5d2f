// The master's end of the worker protocol (see shared/protocol.ts): authenticates workers on the
// upgrade, greets them, applies their messages exactly once, watches their liveness, and deals
// with the builds of workers that do not come back within their grace period.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type {} from '@fastify/websocket';
import type { Config } from '../../shared/config.js';
import { PROTOCOL_VERSION, WORKER_ARTIFACTS_PATH, WORKER_NAME_HEADER, WORKER_PATH, type Hello, type MasterMessage } from '../../shared/protocol.js';
import type { Db } from '../queue/open-database.js';
import type { BuildRow, BuildStore } from '../queue/build-store.js';
import type { EventBus } from '../event-bus.js';
import type { Logger } from '../logger.js';
import type { WorkerSession, WorkerSessions } from './worker-session.js';
import type { Dispatcher } from './dispatcher.js';
import type { MessageApplier } from './apply-worker-message.js';
import { parseWorkerMessage } from './parse-worker-message.js';
import type { ArtifactFiles } from '../artifacts/artifact-files.js';

export interface WorkerHubDeps {
  db: Db;
  config: Config;
  builds: BuildStore;
  sessions: WorkerSessions;
  dispatcher: Dispatcher;
  apply: MessageApplier;
  /** Reads stored artifacts (directory or bucket), for steps' `download`. */
  artifactFiles: ArtifactFiles;
  bus: EventBus;
  logger: Logger;
  now: () => number;
  /** Ping interval; a worker that misses two pongs is dropped (default 10 s). */
  pingIntervalMs?: number;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function createWorkerHub(deps: WorkerHubDeps) {
  const { db, config, builds, sessions, dispatcher, bus, logger, now } = deps;
  const graceTimers = new Map<string, NodeJS.Timeout>();
  // Set on shutdown: sockets close after the database does, and must not touch it then.
  let closed = false;
  const upsertWorker = db.prepare(
    `INSERT INTO workers (name, instance_id, last_seq, connected, connected_at, last_seen, version, slots, arch, labels, images)
     VALUES (@name, @instance_id, 0, 1, @at, @at, @version, @slots, @arch, @labels, @images)
     ON CONFLICT (name) DO UPDATE SET instance_id = excluded.instance_id, connected = 1, connected_at = excluded.connected_at,
       last_seen = excluded.last_seen, version = excluded.version, slots = excluded.slots, arch = excluded.arch,
       labels = excluded.labels, images = excluded.images,
       last_seq = CASE WHEN workers.instance_id = excluded.instance_id THEN workers.last_seq ELSE 0 END`,
  );
  const workerRow = db.prepare<[string], { instance_id: string | null; last_seq: number }>('SELECT instance_id, last_seq FROM workers WHERE name = ?');
  const setDisconnected = db.prepare<[number, string]>('UPDATE workers SET connected = 0, last_seen = ? WHERE name = ?');
  const setImageVersions = db.prepare<[string, string]>('UPDATE workers SET image_versions = ? WHERE name = ?');
  const artifactById = db.prepare<[number], { stored_at: string; size: number }>(`SELECT stored_at, size FROM artifacts WHERE id = ? AND kind = 'file'`);
  const stepsStarted = db.prepare<[number], { n: number }>(`SELECT COUNT(*) AS n FROM steps WHERE build_id = ? AND state != 'pending'`);

  function authenticate(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    const name = request.headers[WORKER_NAME_HEADER];
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const worker = typeof name === 'string' ? config.workers.find((w) => w.name === name) : undefined;
    if (!worker || !token || !timingSafeEqual(digest(token), digest(worker.secret))) {
      logger.warn({ worker: name, ip: request.ip }, 'worker refused: unknown name or wrong secret');
      void reply.code(401).send({ error: 'unknown worker name or wrong secret' });
      return;
    }
    done();
  }

  /** A worker that is gone for good: its builds end, or are queued again if nothing ran yet. */
  function buildLost(build: BuildRow, why: string): void {
    const request = builds.request(build.request_id);
    if (build.cancel_requested) builds.finish(build.id, 'cancelled', build.cancel_requested);
    else if (stepsStarted.get(build.id)?.n === 0 && (request?.attempts ?? 0) < 2) {
      builds.requeue(build);
      logger.warn({ build: build.id }, `${why}: no step had started, queued again`);
    } else builds.finish(build.id, 'error', why);
    bus.emit({ type: 'build', build: builds.get(build.id) as BuildRow });
  }

  function startGrace(name: string): void {
    const worker = config.workers.find((w) => w.name === name);
    clearTimeout(graceTimers.get(name));
    graceTimers.set(name, setTimeout(() => {
      graceTimers.delete(name);
      if (sessions.has(name)) return;
      db.transaction(() => builds.runningOn(name).forEach((b) => buildLost(b, `worker ${name} lost`)))();
      dispatcher.wake();
    }, worker?.gracePeriod ?? 60_000));
  }

  function greet(socket: WebSocket, hello: Hello): WorkerSession | null {
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
    const previous = workerRow.get(hello.name);
    const sameInstance = previous?.instance_id === hello.instanceId;
    db.transaction(() => {
      if (!sameInstance) {
        // The worker restarted: whatever it ran before is gone.
        for (const b of builds.runningOn(hello.name)) buildLost(b, `worker ${hello.name} restarted`);
      }
      upsertWorker.run({ name: hello.name, instance_id: hello.instanceId, at: now(), version: hello.version, slots: hello.slots, arch: JSON.stringify(hello.arch), labels: JSON.stringify(hello.labels), images: JSON.stringify(hello.images) });
      if (hello.imageVersions) setImageVersions.run(JSON.stringify(hello.imageVersions), hello.name);
    })();
    const running = new Set(builds.runningOn(hello.name).map((b) => b.id));
    const cancel = hello.running.filter((id) => {
      const b = builds.get(id);
      return !b || b.state === 'finished' || b.worker !== hello.name || b.cancel_requested !== null;
    });
    const session: WorkerSession = {
      name: hello.name, instanceId: hello.instanceId, version: hello.version, arch: hello.arch, labels: hello.labels,
      images: hello.images, slots: hello.slots, connectedAt: now(), running, send,
      close: (code, reason) => socket.close(code, reason),
    };
    sessions.set(hello.name, session);
    send({ type: 'welcome', protocol: PROTOCOL_VERSION, ackedSeq: sameInstance ? (previous?.last_seq ?? 0) : 0, cancel, features: ['images'] });
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
    socket.on('pong', () => (alive = true));
    socket.on('message', (raw) => {
      alive = true;
      if (closed) return;
      try {
        const message = parseWorkerMessage(raw.toString());
        if (message.type === 'hello') {
          if (message.name !== name) throw new Error(`hello names "${message.name}" but the connection authenticated as "${name}"`);
          session = greet(socket, message);
          return;
        }
        if (!session) throw new Error('message before hello');
        if (message.type === 'images') {
          setImageVersions.run(JSON.stringify(message.imageVersions), name);
          bus.emit({ type: 'worker', name });
          return;
        }
        deps.apply(name, message);
        session.send({ type: 'ack', seq: message.seq });
        if (message.type === 'build.finished') {
          session.running.delete(message.buildId);
          dispatcher.wake();
        }
      } catch (error) {
        logger.warn({ worker: name, err: (error as Error).message }, 'bad message from worker; closing');
        socket.close(4002, 'bad message');
      }
    });
    socket.on('close', () => {
      clearInterval(pinger);
      if (closed || !session || sessions.get(name) !== session) return;
      sessions.delete(name);
      setDisconnected.run(now(), name);
      logger.warn({ worker: name, running: [...session.running] }, 'worker disconnected');
      bus.emit({ type: 'worker', name });
      if (builds.runningOn(name).length > 0) startGrace(name);
    });
  }

  return {
    async routes(app: FastifyInstance): Promise<void> {
      app.get(WORKER_PATH, { websocket: true, preValidation: authenticate }, (socket, request) => onConnection(socket as unknown as WebSocket, request));
      // Another build's artifacts for a step's `download`: workers only, with the same credentials.
      app.get<{ Params: { id: number } }>(
        `${WORKER_ARTIFACTS_PATH}/:id`,
        { preValidation: authenticate, schema: { params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } } },
        async (req, reply) => {
          const artifact = artifactById.get(req.params.id);
          const content = artifact ? await deps.artifactFiles.open(artifact.stored_at) : undefined;
          if (!artifact || !content) return reply.code(404).send({ error: `no artifact ${req.params.id}` });
          return reply.type('application/octet-stream').header('content-length', artifact.size).send(content);
        },
      );
    },
    /** At start: every worker is disconnected; builds they ran get their grace period. */
    recover(): void {
      db.prepare('UPDATE workers SET connected = 0').run();
      const names = db.prepare<[], { worker: string }>(`SELECT DISTINCT worker FROM builds WHERE state = 'running' AND worker IS NOT NULL`).all();
      for (const { worker } of names) startGrace(worker);
    },
    cancel(buildId: number, reason: string): void {
      const build = builds.get(buildId);
      if (build?.worker) sessions.get(build.worker)?.send({ type: 'build.cancel', buildId, reason });
    },
    close(): void {
      closed = true;
      for (const t of graceTimers.values()) clearTimeout(t);
      for (const s of sessions.values()) s.close(1001, 'master shutting down');
    },
  };
}
export type WorkerHub = ReturnType<typeof createWorkerHub>;

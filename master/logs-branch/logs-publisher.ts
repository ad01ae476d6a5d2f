// Publishes builds to the logs branch in the background, one git operation at a time (everything
// that touches the clone goes through `exclusive`). Builds that are due together go out in one push,
// one commit each. When the push is rejected because the branch moved (another master, a prune),
// the clone is reset to the new tip and the folders are written again from what the master stored:
// the same effect as a rebase, and it cannot conflict. A push the remote refuses for a reason of its
// own (a hook, branch protection, permissions) is not a moved branch: it is logged with what the
// remote said, kept as the builds' last error (the API and the build page show it) and retried with
// backoff, like any other failure. Nothing here touches the build.
import type { BuildRow, BuildStore } from '../store/build-store.js';
import type { Logger } from '../../shared/logger.js';
import { LogsPushRefused, type LogsRepo } from './logs-repo.js';
import type { PublicationStore, Publication, PublicationRow } from '../store/publication-store.js';
import { buildFolder } from './logs-folder.js';
import { writeBuildFolder, type BuildFolderDeps } from './write-build-folder.js';
import { DEFAULT_RETRY, retryDelay, type RetryPolicy } from '../retry-delay.js';

export interface LogsPublisherOptions {
  retry?: RetryPolicy;
  /** Rejected pushes in a row before the batch waits for its next attempt (default 8). */
  maxPushAttempts?: number;
  /** Builds per push (default 50). */
  batchSize?: number;
}

export interface LogsPublisherDeps extends LogsPublisherOptions {
  repo: LogsRepo;
  publications: PublicationStore;
  builds: BuildStore;
  folder: BuildFolderDeps;
  logger: Logger;
  now: () => number;
  /** Told of each failed update of the logs branch (the metrics count them). */
  onPushFailed?: () => void;
}

function commitMessage(build: BuildRow, what: Publication): string {
  const pr = build.pr === null ? 'push' : `PR #${build.pr}`;
  return `${build.builder} #${build.number} (${pr}, ${(build.sha ?? '').slice(0, 7)}): ${what === 'finished' ? build.result : 'running'}`;
}

export function createLogsPublisher(deps: LogsPublisherDeps) {
  const { repo, publications, builds, logger, now } = deps;
  const policy = deps.retry ?? DEFAULT_RETRY;
  const maxPushAttempts = deps.maxPushAttempts ?? 8;
  let chain: Promise<unknown> = Promise.resolve();
  let ensured = false;
  /** The work tree is the remote tip as of our last fetch or push; else reset before writing. */
  let synced = false;
  let scheduled = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  }

  async function ready(): Promise<void> {
    if (!ensured) {
      await repo.ensure();
      ensured = true;
    }
  }

  async function publishBatch(rows: PublicationRow[]): Promise<void> {
    try {
      await ready();
      for (let attempt = 1; attempt <= maxPushAttempts; attempt++) {
        if (!synced) await repo.reset();
        synced = false; // from here the work tree may be ahead of the remote
        const written = new Map<number, Publication>();
        let commits = 0;
        for (const row of rows) {
          const build = builds.get(row.build_id);
          if (!build) continue; // pruned meanwhile
          const what = writeBuildFolder(repo.dir, build, deps.folder);
          if (await repo.commit([buildFolder(build)], commitMessage(build, what))) commits += 1;
          written.set(build.id, what);
        }
        const outcome = commits === 0 ? 'pushed' : await repo.push();
        if (outcome === 'pushed') {
          synced = true;
          for (const row of rows) publications.markPublished(row.build_id, written.get(row.build_id) ?? row.wanted);
          if (commits > 0) logger.info({ builds: [...written.keys()], attempt }, 'logs branch updated');
          return;
        }
        logger.info({ attempt }, 'logs branch moved under us; writing the builds again on its new tip');
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 100 * attempt));
      }
      throw new Error(`the push was rejected ${maxPushAttempts} times in a row`);
    } catch (error) {
      synced = false;
      deps.onPushFailed?.();
      const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
      const message = (error as Error).message;
      const at = now() + retryDelay(attempts, policy, undefined, now());
      try {
        publications.markRetry(rows.map((r) => r.build_id), at, message);
      } catch (markError) {
        if (!closed) throw markError;
      }
      const why = error instanceof LogsPushRefused ? 'the logs remote refused the push; will retry' : 'logs branch not updated; will retry';
      logger.warn({ builds: rows.map((r) => r.build_id), attempt: attempts, retryInMs: at - now(), err: message }, why);
    }
  }

  async function drain(): Promise<void> {
    for (;;) {
      if (closed) return;
      const rows = publications.due(deps.batchSize ?? 50);
      if (rows.length === 0) break;
      await publishBatch(rows);
    }
    if (closed) return;
    const next = publications.nextDueAt();
    if (next !== undefined) {
      clearTimeout(timer);
      timer = setTimeout(wake, Math.min(Math.max(next - now(), 0), 2 ** 31 - 1));
      timer.unref?.();
    }
  }

  function wake(): void {
    if (closed || scheduled) return;
    scheduled = true;
    // Builds that finish in the same tick go out together.
    setImmediate(() => {
      scheduled = false;
      exclusive(drain).catch((error: unknown) => logger.error({ err: (error as Error).message }, 'logs publisher failed'));
    });
  }

  return {
    /** For each build event: builds that ran get a placeholder, then their folder. */
    onBuild(build: BuildRow): void {
      if (build.started_at === null) return; // skipped, or cancelled before it ran: no logs to show
      try {
        publications.want(build.id, build.state === 'finished' ? 'finished' : 'started');
        wake();
      } catch (error) {
        logger.error({ build: build.id, err: (error as Error).message }, 'could not queue the build for the logs branch');
      }
    },
    /** Queue builds that ran in the last `windowMs` and were never queued; then publish what is due. */
    sweep(windowMs = 86_400_000): void {
      const added = publications.sweep(now() - windowMs);
      if (added > 0) logger.info({ added }, 'queued builds for the logs branch that no event had asked for');
      wake();
    },
    wake,
    /** Run `fn` with the clone to itself (a retention rewrite); the clone is reset afterwards. */
    exclusive<T>(fn: (repo: LogsRepo) => Promise<T>): Promise<T> {
      return exclusive(async () => {
        await ready();
        synced = false;
        try {
          return await fn(repo);
        } finally {
          synced = false;
        }
      });
    },
    /** Stop; waits up to `waitMs` for the git operation in flight (an unfinished batch is redone after the next start). */
    async close(waitMs = 10_000): Promise<void> {
      closed = true;
      clearTimeout(timer);
      await Promise.race([chain, new Promise((r) => setTimeout(r, waitMs).unref())]);
    },
  };
}
export type LogsPublisher = ReturnType<typeof createLogsPublisher>;

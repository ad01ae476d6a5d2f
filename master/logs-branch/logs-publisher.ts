// Publishes builds to the logs branch in the background, one git operation at a time (everything
// that touches the clone goes through `exclusive`). Builds that are due together go out in one push,
// one commit each. When the push is rejected because the branch moved (another master, a prune),
// the clone is reset to the new tip and the folders are written again from what the master stored:
// the same effect as a rebase, and it cannot conflict. A push the remote refuses for a reason of its
// own (a hook, branch protection, permissions) is not a moved branch: it is logged with what the
// remote said, kept as the builds' last error (the API and the build page show it) and retried with
// backoff, like any other failure. Nothing here touches the build. With several logs locations
// (github.repos[].logs), each build goes to its repository's, each location with a clone of its own;
// one location failing does not hold up the others.
import type { BuildRow, BuildStore } from '../store/build-store.js';
import type { Logger } from '../../shared/logger.js';
import { LogsPushRefused, type LogsRepo } from './logs-repo.js';
import type { PublicationStore, Publication, PublicationRow } from '../store/publication-store.js';
import { buildFolder } from './logs-folder.js';
import { writeBuildFolder, type BuildFolderDeps } from './write-build-folder.js';
import { describeLocation, logsLocationOf, sameLocation, type LogsLocation } from './logs-locations.js';
import { DEFAULT_RETRY, retryDelay, type RetryPolicy } from '../retry-delay.js';

export interface LogsPublisherOptions {
  retry?: RetryPolicy;
  /** Rejected pushes in a row before the batch waits for its next attempt (default 8). */
  maxPushAttempts?: number;
  /** Builds per push (default 50). */
  batchSize?: number;
}

/** A logs location and its clone. */
export interface LogsTarget {
  location: LogsLocation;
  repo: LogsRepo;
}

export interface LogsPublisherDeps extends LogsPublisherOptions {
  /** Every location (logs-locations.ts), the top-level one first: builds of repositories not served any more go there. */
  targets: LogsTarget[];
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
  const { targets, publications, builds, logger, now } = deps;
  const policy = deps.retry ?? DEFAULT_RETRY;
  const maxPushAttempts = deps.maxPushAttempts ?? 8;
  let chain: Promise<unknown> = Promise.resolve();
  const ensured = new Set<LogsTarget>();
  /** Targets whose work tree is the remote tip as of our last fetch or push; others are reset before writing. */
  const synced = new Set<LogsTarget>();
  let scheduled = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  }

  async function ready(target: LogsTarget): Promise<void> {
    if (!ensured.has(target)) {
      await target.repo.ensure();
      ensured.add(target);
    }
  }

  function targetOf(build: BuildRow | undefined): LogsTarget {
    const location = build ? logsLocationOf(deps.folder.config, build.repo) : undefined;
    return (location && targets.find((t) => sameLocation(t.location, location))) ?? (targets[0] as LogsTarget);
  }

  async function publishBatch(target: LogsTarget, rows: PublicationRow[]): Promise<void> {
    const { repo, location } = target;
    try {
      await ready(target);
      for (let attempt = 1; attempt <= maxPushAttempts; attempt++) {
        if (!synced.has(target)) await repo.reset();
        synced.delete(target); // from here the work tree may be ahead of the remote
        const written = new Map<number, Publication>();
        let commits = 0;
        for (const row of rows) {
          const build = builds.get(row.build_id);
          if (!build) continue; // pruned meanwhile
          const what = writeBuildFolder(repo.dir, location, build, deps.folder);
          if (await repo.commit([buildFolder(build, location)], commitMessage(build, what))) commits += 1;
          written.set(build.id, what);
        }
        const outcome = commits === 0 ? 'pushed' : await repo.push();
        if (outcome === 'pushed') {
          synced.add(target);
          for (const row of rows) publications.markPublished(row.build_id, written.get(row.build_id) ?? row.wanted);
          if (commits > 0) logger.info({ builds: [...written.keys()], attempt, logs: describeLocation(location) }, 'logs branch updated');
          return;
        }
        logger.info({ attempt, logs: describeLocation(location) }, 'logs branch moved under us; writing the builds again on its new tip');
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 100 * attempt));
      }
      throw new Error(`the push was rejected ${maxPushAttempts} times in a row`);
    } catch (error) {
      synced.delete(target);
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
      logger.warn({ builds: rows.map((r) => r.build_id), attempt: attempts, retryInMs: at - now(), err: message, logs: describeLocation(location) }, why);
    }
  }

  /** The due rows by the location their build goes to, in the order they came. */
  function byTarget(rows: PublicationRow[]): Map<LogsTarget, PublicationRow[]> {
    const groups = new Map<LogsTarget, PublicationRow[]>();
    for (const row of rows) {
      const target = targetOf(builds.get(row.build_id));
      groups.set(target, [...(groups.get(target) ?? []), row]);
    }
    return groups;
  }

  async function drain(): Promise<void> {
    for (;;) {
      if (closed) return;
      const rows = publications.due(deps.batchSize ?? 50);
      if (rows.length === 0) break;
      for (const [target, group] of byTarget(rows)) await publishBatch(target, group);
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
    targets,
    /** Run `fn` with the target's clone to itself (a retention rewrite); the clone is reset afterwards. */
    exclusive<T>(target: LogsTarget, fn: (repo: LogsRepo) => Promise<T>): Promise<T> {
      return exclusive(async () => {
        await ready(target);
        synced.delete(target);
        try {
          return await fn(target.repo);
        } finally {
          synced.delete(target);
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

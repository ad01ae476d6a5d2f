// How a reporter follows builds: each build event, and a sweep (at start, then every minute) over
// recent builds for any transition the bus did not carry (a crash between a build's commit and
// its event, a code path that changes a build without an event), so what is reported always ends.
// Commit statuses and check runs each follow builds this way.
import type { BuildRow, BuildStore } from './store/build-store.js';
import type { Logger } from '../shared/logger.js';

export interface BuildFollowerDeps {
  /** What is recorded, for the logs: "commit status". */
  what: string;
  /** Record what the build's current state asks for; true when it was new. */
  record(build: BuildRow): boolean;
  builds: Pick<BuildStore, 'openOrFinishedSince'>;
  logger: Logger;
  now: () => number;
}

export function followBuilds(deps: BuildFollowerDeps) {
  const { what, logger } = deps;
  const recordSafely = (build: BuildRow): boolean => {
    try {
      return deps.record(build);
    } catch (error) {
      logger.error({ build: build.id, err: (error as Error).message }, `could not queue the ${what}`);
      return false;
    }
  };
  return {
    /** For each build event. Never throws: reporting must not fail the build that emitted it. */
    onBuild(build: BuildRow): void {
      recordSafely(build);
    },
    /** Queue what the current state of recent builds asks for and nobody queued; returns how many. */
    sweep(windowMs = 86_400_000): number {
      let added = 0;
      // Builds still open, and builds finished recently: older ones are history, not a check waiting.
      for (const build of deps.builds.openOrFinishedSince(deps.now() - windowMs)) if (recordSafely(build)) added += 1;
      if (added > 0) logger.info({ added }, `${what}: queued what no event had asked for`);
      return added;
    },
  };
}
export type BuildFollower = ReturnType<typeof followBuilds>;

/** A follower and the sender that posts what it records: one part of reporting (check runs, the PR comment). */
export interface ReportingPart {
  onBuild(build: BuildRow): void;
  /** Record missed transitions and post what is due. */
  sweep(): void;
  close(): Promise<void>;
}

export function reportingPart(follower: BuildFollower, sender: { wake(): void; close(): Promise<void> }): ReportingPart {
  return {
    onBuild: (build) => follower.onBuild(build),
    sweep() {
      follower.sweep();
      sender.wake();
    },
    close: () => sender.close(),
  };
}

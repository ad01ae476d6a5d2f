// Retention on the logs branch: folders of builds older than the cutoff, then, while the folders
// left are over logs.branchKeepBytes, the oldest finished ones, are dropped by rewriting
// the branch to one fresh orphan commit holding only the recent folders, pushed with a lease on the
// tip it was computed from (a push that landed meanwhile makes it start over, never lost). Only a
// rewrite frees the space: a plain deletion would keep every old log in the history.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../shared/logger.js';
import type { LogsRepo } from '../logs-branch/logs-repo.js';
import { FACTS_FILE, type BuildFacts } from '../logs-branch/write-build-folder.js';
import { bytesUnder } from './build-disk-usage.js';
import { formatSize } from '../../shared/size.js';

export interface BranchPruneResult {
  kept: number;
  dropped: string[];
  /** Folders without a readable build.json: kept, since their age is unknown. */
  unknown: string[];
}

/**
 * Build folders (builder/folder) in the work tree, sorted by whether they are older than `cutoff`;
 * then, with `keepBytes`, the oldest finished ones kept go too while the kept ones are over it
 * (sizes as files in the work tree; a running build's folder and one of unknown age stay).
 */
export function classifyFolders(root: string, cutoff: number, keepBytes: number | null = null): { keep: string[]; drop: string[]; unknown: string[] } {
  const keep: string[] = [];
  const drop: string[] = [];
  const unknown: string[] = [];
  const finishedAt = new Map<string, number>();
  const dirs = (dir: string) => readdirSync(dir).filter((name) => name !== '.git' && statSync(path.join(dir, name)).isDirectory());
  for (const builder of dirs(root)) {
    for (const folder of dirs(path.join(root, builder))) {
      const relative = `${builder}/${folder}`;
      const factsFile = path.join(root, relative, FACTS_FILE);
      let when: number | null = null;
      try {
        if (existsSync(factsFile)) {
          const facts = JSON.parse(readFileSync(factsFile, 'utf8')) as Partial<BuildFacts>;
          when = facts.finishedAt ?? facts.startedAt ?? facts.createdAt ?? null;
          if (typeof facts.finishedAt === 'number') finishedAt.set(relative, facts.finishedAt);
        }
      } catch {
        when = null;
      }
      if (typeof when !== 'number') unknown.push(relative);
      else (when < cutoff ? drop : keep).push(relative);
    }
  }
  if (keepBytes !== null) {
    const sizes = new Map([...keep, ...unknown].map((folder) => [folder, bytesUnder(path.join(root, folder))]));
    let total = [...sizes.values()].reduce((sum, n) => sum + n, 0);
    const oldestFirst = keep.filter((f) => finishedAt.has(f)).sort((a, b) => (finishedAt.get(a) as number) - (finishedAt.get(b) as number));
    for (const folder of oldestFirst) {
      if (total <= keepBytes) break;
      total -= sizes.get(folder) as number;
      drop.push(folder);
      keep.splice(keep.indexOf(folder), 1);
    }
  }
  return { keep: [...keep, ...unknown], drop, unknown };
}

export async function pruneLogsBranch(repo: LogsRepo, cutoff: number, keepBytes: number | null, logger: Logger, maxAttempts = 5): Promise<BranchPruneResult> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const tip = await repo.reset();
    if (!tip) return { kept: 0, dropped: [], unknown: [] };
    const { keep, drop, unknown } = classifyFolders(repo.dir, cutoff, keepBytes);
    if (drop.length === 0) return { kept: keep.length, dropped: [], unknown };
    for (const folder of drop) rmSync(path.join(repo.dir, folder), { recursive: true, force: true });
    await repo.git.run(['add', '-A', '--', '.']);
    const tree = (await repo.git.run(['write-tree'])).stdout.trim();
    const since = Number.isFinite(cutoff) ? ` since ${new Date(cutoff).toISOString()}` : '';
    const within = keepBytes === null ? '' : ` and within ${formatSize(keepBytes)}`;
    const message = `Retention: keep builds${since}${within} (${keep.length} kept, ${drop.length} dropped)`;
    const commit = (await repo.git.run(['commit-tree', tree, '-m', message])).stdout.trim();
    await repo.git.run(['reset', '-q', '--hard', commit]);
    if ((await repo.push(tip)) === 'pushed') {
      logger.info({ kept: keep.length, dropped: drop.length }, 'logs branch rewritten for retention');
      return { kept: keep.length, dropped: drop, unknown };
    }
    logger.info({ attempt }, 'logs branch moved during the retention rewrite; starting over');
  }
  throw new Error(`the logs branch kept moving; retention gave up after ${maxAttempts} attempts`);
}

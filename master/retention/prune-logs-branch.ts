// Retention on the logs branch: folders of builds older than the cutoff are dropped by rewriting
// the branch to one fresh orphan commit holding only the recent folders, pushed with a lease on the
// tip it was computed from (a push that landed meanwhile makes it start over, never lost). Only a
// rewrite frees the space: a plain deletion would keep every old log in the history.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../shared/logger.js';
import type { LogsRepo } from '../logs-branch/logs-repo.js';
import { FACTS_FILE, type BuildFacts } from '../logs-branch/write-build-folder.js';

export interface BranchPruneResult {
  kept: number;
  dropped: string[];
  /** Folders without a readable build.json: kept, since their age is unknown. */
  unknown: string[];
}

/** Build folders (builder/folder) in the work tree, sorted by whether they are older than `cutoff`. */
export function classifyFolders(root: string, cutoff: number): { keep: string[]; drop: string[]; unknown: string[] } {
  const keep: string[] = [];
  const drop: string[] = [];
  const unknown: string[] = [];
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
        }
      } catch {
        when = null;
      }
      if (typeof when !== 'number') unknown.push(relative);
      else (when < cutoff ? drop : keep).push(relative);
    }
  }
  return { keep: [...keep, ...unknown], drop, unknown };
}

export async function pruneLogsBranch(repo: LogsRepo, cutoff: number, logger: Logger, maxAttempts = 5): Promise<BranchPruneResult> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const tip = await repo.reset();
    if (!tip) return { kept: 0, dropped: [], unknown: [] };
    const { keep, drop, unknown } = classifyFolders(repo.dir, cutoff);
    if (drop.length === 0) return { kept: keep.length, dropped: [], unknown };
    for (const folder of drop) rmSync(path.join(repo.dir, folder), { recursive: true, force: true });
    await repo.git.run(['add', '-A', '--', '.']);
    const tree = (await repo.git.run(['write-tree'])).stdout.trim();
    const message = `Retention: keep builds since ${new Date(cutoff).toISOString()} (${keep.length} kept, ${drop.length} dropped)`;
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

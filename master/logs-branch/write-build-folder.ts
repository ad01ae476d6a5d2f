// Writes one build's folder into the logs clone's work tree, from what the master stored: README.md,
// build.json (read back by retention), one NN-<step>.log per step and the JUnit files. The folder is
// rewritten whole each time, so writing it again (after a rejected push) gives the same content.
// Everything is masked once more here: whatever reached disk, nothing secret reaches the branch.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../shared/config.js';
import { maskSecrets } from '../../shared/mask-secrets.js';
import type { BuildRow } from '../store/build-store.js';
import type { BuildSummaryReader } from '../logs/build-summary.js';
import { renderPlaceholderReadme, renderReadme, type ReadmeInput } from './build-readme.js';
import { readLogForBranch } from './cut-log.js';
import { buildFolder, stepLogName } from './logs-folder.js';
import { buildUiUrl } from '../statuses/target-url.js';
import type { LogsLocation } from './logs-locations.js';

export interface BuildFolderDeps {
  config: Config;
  secrets: readonly string[];
  /** Where the master keeps step logs: <logsDir>/<buildId>/<step>.log. */
  logPath: (buildId: number, step: string) => string;
  readSummary: BuildSummaryReader;
  maxLogBytes: number;
}

/** The facts retention reads back; times in ms since the epoch. */
export interface BuildFacts {
  id: number;
  builder: string;
  number: number;
  repo: string;
  pr: number | null;
  sha: string | null;
  state: string;
  result: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export const FACTS_FILE = 'build.json';

/** Writes the folder for the build's current state into the clone of `location`; returns which one it wrote. */
export function writeBuildFolder(root: string, location: LogsLocation, build: BuildRow, deps: BuildFolderDeps): 'started' | 'finished' {
  const folder = path.join(root, buildFolder(build, location));
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const mask = (text: string) => maskSecrets(text, deps.secrets);
  const put = (name: string, text: string) => writeFileSync(path.join(folder, name), mask(text));
  const uiUrl = buildUiUrl(deps.config, build.id);
  const input: ReadmeInput = {
    build,
    repoWebUrl: `${deps.config.github.webUrl.replace(/\/+$/, '')}/${build.repo}`,
    // The version the build booted, as its worker reported it (images over time), else the configured name.
    vmImage: build.image ? `${build.image}${build.image_version ? ` (${build.image_version})` : ''}` : deps.config.builders.find((b) => b.name === build.builder)?.vm?.image,
    uiUrl,
  };
  const facts: BuildFacts = {
    id: build.id, builder: build.builder, number: build.number, repo: build.repo, pr: build.pr, sha: build.sha,
    state: build.state, result: build.result, createdAt: build.created_at, startedAt: build.started_at, finishedAt: build.finished_at,
  };
  put(FACTS_FILE, `${JSON.stringify(facts, null, 2)}\n`);
  if (build.state !== 'finished') {
    put('README.md', renderPlaceholderReadme(input));
    return 'started';
  }

  const summary = deps.readSummary(build.id);
  const logNames = new Map<string, string>();
  const whereFull = uiUrl ? `on the CI host: ${uiUrl}` : `on the CI host (build ${build.id})`;
  summary.steps.forEach((step, index) => {
    const file = deps.logPath(build.id, step.step);
    if (!existsSync(file)) return;
    const name = stepLogName(index, step.name);
    put(name, readLogForBranch(file, deps.maxLogBytes, whereFull));
    logNames.set(step.step, name);
  });
  summary.junitFiles.forEach((junit, index) => {
    if (!existsSync(junit.storedAt)) return;
    mkdirSync(path.join(folder, 'junit'), { recursive: true });
    const base = path.basename(junit.path).replace(/[^A-Za-z0-9._-]/g, '_');
    put(path.join('junit', `${String(index + 1).padStart(2, '0')}-${base}`), readFileSync(junit.storedAt, 'utf8'));
  });
  put('README.md', renderReadme(input, summary, logNames));
  return 'finished';
}

// What a worker gets for a build: the builder's steps with ids, env with GATEHOUSE_* variables and
// secrets, files to upload (read now, from beside the config file), and where to fetch the source.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BuilderConfig, Config, StepConfig } from '../../shared/config.js';
import type { BuildSpec, StepSpec, UploadFile } from '../../shared/protocol.js';
import type { BuildRow } from '../store/build-store.js';
import type { DownloadResolver } from './resolve-download.js';
import type { MergeBaseResolver } from './resolve-merge-base.js';
import { repositoryOf } from '../repos/repository-of.js';

interface SpecContext {
  build: BuildRow;
  configDir: string;
  resolveDownload: DownloadResolver | undefined;
}

function readUploads(globs: string[] | undefined, configDir: string): UploadFile[] {
  return (globs ?? []).map((file) => {
    const full = path.resolve(configDir, file);
    return { path: path.basename(file), content: readFileSync(full).toString('base64'), mode: statSync(full).mode & 0o777 };
  });
}

function toStepSpec(step: StepConfig, id: string, ctx: SpecContext): StepSpec {
  const { configDir } = ctx;
  let download;
  if (step.download) {
    if (!ctx.resolveDownload) throw new Error(`step "${step.name}" downloads artifacts, and this master cannot look them up`);
    download = ctx.resolveDownload(ctx.build, step.download.from, step.download.paths);
  }
  return {
    id,
    name: step.name,
    run: step.run,
    upload: step.upload ? readUploads(step.upload, configDir) : undefined,
    env: step.env ?? {},
    timeoutMs: step.timeout,
    haltOnFailure: step.haltOnFailure,
    always: step.always,
    junit: step.junit ?? [],
    artifacts: step.artifacts ?? [],
    parallel: step.parallel?.map((child, i) => toStepSpec(child, `${id}.${i}`, ctx)),
    maxParallel: step.maxParallel,
    ...(download ? { download } : {}),
  };
}

/** What a spec needs besides the build and its builder. */
export interface SpecLookups {
  secrets: string[];
  /** Where step uploads are read from. */
  configDir: string;
  resolveDownload?: DownloadResolver;
  /** The base branch of a PR build, for builders with `mergeBase`. */
  mergeBaseOf?: MergeBaseResolver;
}

export function buildSpec(build: BuildRow, builder: BuilderConfig, config: Config, lookups: SpecLookups): BuildSpec {
  const { secrets, configDir, resolveDownload } = lookups;
  // Pushes have nothing to merge into; a PR build that should merge and cannot must not test the head alone.
  const base = builder.mergeBase && build.pr !== null ? lookups.mergeBaseOf?.(build) : undefined;
  if (builder.mergeBase && build.pr !== null && base === undefined) throw new Error(`builder "${builder.name}" tests the merge into the base branch, and no base branch is known for PR #${build.pr}`);
  const env: Record<string, string> = {
    ...builder.env,
    GATEHOUSE_BUILD_ID: String(build.id),
    GATEHOUSE_BUILD_NUMBER: String(build.number),
    GATEHOUSE_BUILDER: build.builder,
    GATEHOUSE_REPO: build.repo,
    GATEHOUSE_PR: build.pr === null ? '' : String(build.pr),
    GATEHOUSE_SHA: build.sha ?? '',
    GATEHOUSE_REF: build.ref ?? '',
    ...(build.docs_only ? { GATEHOUSE_DOCS_ONLY: '1' } : {}),
    ...(base !== undefined ? { GATEHOUSE_BASE_REF: `refs/heads/${base}` } : {}),
    ...propertyEnv(builder, build),
  };
  const cloneUrl = repositoryOf(config, build).cloneUrl ?? build.clone_url;
  return {
    buildId: build.id,
    builder: build.builder,
    number: build.number,
    executor: builder.executor,
    vm: builder.vm,
    repo: build.repo,
    pr: build.pr,
    sha: build.sha ?? '',
    source: cloneUrl && build.ref && build.sha ? { cloneUrl, ref: build.ref, sha: build.sha, ...(base !== undefined ? { mergeBase: `refs/heads/${base}` } : {}) } : undefined,
    timeoutMs: builder.timeout,
    env,
    secrets,
    // A docs-only build runs the docs steps alone; they keep their ids, so logs name them as always.
    steps: builder.steps.flatMap((s, i) => (build.docs_only && !s.docs ? [] : [toStepSpec(s, String(i), { build, configDir, resolveDownload })])),
  };
}

/** Every property the builder declares, as GATEHOUSE_PROP_<name>: what a forced build set, else its default. */
function propertyEnv(builder: BuilderConfig, build: BuildRow): Record<string, string> {
  const set = build.properties ? (JSON.parse(build.properties) as Record<string, string>) : {};
  return Object.fromEntries(Object.entries(builder.properties).map(([name, p]) => [`GATEHOUSE_PROP_${name}`, set[name] ?? p.default]));
}

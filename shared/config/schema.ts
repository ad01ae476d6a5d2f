// The configuration schema: every option is documented where it is declared, with its default.
// The file a user writes is `ConfigInput`; `Config` is what it becomes after validation, defaults
// and secret resolution (see load-config.ts).
import { z } from 'zod';
import { Cron } from 'croner';
import { parseDuration } from '../duration.js';
import { parseSize } from '../size.js';

/** A secret is never a literal in the config: it names an environment variable. */
export const secretSchema = z
  .object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }, {
    error: (issue) => (issue.code === 'invalid_type' ? "expected a secret reference such as { env: 'GH_TOKEN' } (secrets are never written in the config)" : undefined),
  })
  .strict();
export type SecretRef = z.infer<typeof secretSchema>;

/** A string or number read by `parse` (a duration, a size); `expected` says what a good one looks like. */
function parsedSchema(parse: (value: string | number) => number | undefined, expected: string) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const parsed = parse(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected ${expected}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return parsed;
  });
}
const durationSchema = parsedSchema(parseDuration, 'a duration like "90m"');
const sizeSchema = parsedSchema(parseSize, 'a size like "20GiB"');

const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'a name of letters, digits, ".", "_" or "-" (at most 63)');
const repoSchema = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'a repository as "owner/name"');
const globList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
const envSchema = z.record(z.string(), z.union([z.string(), secretSchema]));

interface StepInput {
  name: string;
  run?: string;
  upload?: string | string[];
  env?: Record<string, string | SecretRef>;
  timeout?: string | number;
  haltOnFailure?: boolean;
  always?: boolean;
  junit?: string | string[];
  artifacts?: string | string[];
  download?: { from: string; paths?: string | string[] };
  parallel?: StepInput[];
  maxParallel?: number;
  docs?: boolean;
}

const stepBase = z.object({
  /** Shown in the UI and in the logs branch; unique within a builder. */
  name: nameSchema,
  /** Shell command, run with `bash -eo pipefail` in the build's work directory. */
  run: z.string().min(1).optional(),
  /** Files from the CI host (relative to the config file) copied into the work directory first. */
  upload: globList.optional(),
  /** Extra environment for this step; values may be secrets. */
  env: envSchema.optional(),
  /** Step timeout (default: the build's). The process group is killed and the step fails. */
  timeout: durationSchema.optional(),
  /** Stop the build when this step fails (default true). */
  haltOnFailure: z.boolean().prefault(true),
  /** Run even after a failure or a cancel; GATEHOUSE_RESULT holds the result so far (default false). */
  always: z.boolean().prefault(false),
  /** JUnit XML globs (relative to the work directory) collected after the step. */
  junit: globList.optional(),
  /** Other files collected after the step, as artifacts. */
  artifacts: globList.optional(),
  /** Also run in a docs-only build (a `then: 'docs'` skip string); other steps are left out of it (default false). */
  docs: z.boolean().prefault(false),
  /** How many children of a parallel group run at once (default: all). */
  maxParallel: z.number().int().positive().optional(),
  /**
   * Files another builder's build of the same commit stored as artifacts, placed in the work
   * directory (at the paths they were collected from) before `run`: how a chained builder
   * (`triggers.after`) gets the packages its first builder made. The newest successful build wins.
   */
  download: z
    .object({
      /** The builder whose artifacts are wanted. */
      from: z.string().min(1),
      /** Which of its artifacts (globs on their paths; default all). */
      paths: globList.prefault(['**']),
    })
    .strict()
    .optional(),
});

type StepOutput = Omit<z.output<typeof stepBase>, 'parallel'> & { parallel?: StepOutput[] };

export const stepSchema: z.ZodType<StepOutput, StepInput> = stepBase
  .extend({
    /** Children run concurrently (up to maxParallel); the group fails when any child fails. */
    parallel: z.lazy(() => z.array(stepSchema).min(1)).optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    const kinds = [step.run !== undefined, step.parallel !== undefined].filter(Boolean).length;
    if (kinds === 0 && step.upload === undefined && step.download === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected one of "run", "upload", "download" or "parallel"' });
    }
    if (kinds > 1) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected "run" or "parallel", not both' });
    if (step.parallel && step.download) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['download'], message: 'expected "download" on a step that runs, not on a parallel group (put it on a step before the group)' });
  });

// ---- Several repositories per master, and what skip strings mean (issue 17) ----

/**
 * A string that, in a PR's title or head commit message, changes what a builder does: `skip` it
 * (a final "skipped" status), or run only its `docs` steps. A plain string means `skip`.
 */
const skipStringSchema = z
  .union([
    z.string().min(1),
    z.object({ match: z.string().min(1), then: z.enum(['skip', 'docs']) }).strict(),
  ])
  .transform((s) => (typeof s === 'string' ? { match: s, then: 'skip' as const } : s));
export type SkipString = z.output<typeof skipStringSchema>;

const trustedSchema = z
  .object({
    /** Author associations that are trusted (default OWNER, MEMBER, COLLABORATOR). */
    associations: z.array(z.string()).prefault(['OWNER', 'MEMBER', 'COLLABORATOR']),
    users: z.array(z.string()).prefault([]),
    orgs: z.array(z.string()).prefault([]),
  })
  .strict();

/** One repository of `github.repos`; what it leaves out comes from the `github` section. */
const servedRepoSchema = z
  .object({
    /** "owner/name". */
    repo: repoSchema,
    /** Where workers fetch its source (default: github.cloneUrl, else the clone_url in each webhook). */
    cloneUrl: z.string().min(1).optional(),
    /** Its trust gate and trusted users (default: github.trustGate and github.trusted). */
    trust: z
      .object({
        gate: z.boolean().optional(),
        associations: z.array(z.string()).optional(),
        users: z.array(z.string()).optional(),
        orgs: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    /** Skip strings for its changes; one with the same `match` as a builder's `triggers.skipTitle` entry replaces it, others are added. */
    skip: z.array(skipStringSchema).prefault([]),
    /**
     * Where its build folders go, when not where the top-level `logs` section says: each key left
     * out comes from there (`webUrl` only while the remote is the same; else derived from `remote`).
     */
    logs: z
      .object({
        remote: z.string().min(1).optional(),
        branch: z.string().min(1).optional(),
        webUrl: z.string().url().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ServedRepoInput = z.input<typeof servedRepoSchema>;

/** A served repository with every setting filled in (from the `github` section where it left one out). */
export interface ServedRepo {
  repo: string;
  cloneUrl?: string;
  trustGate: boolean;
  trusted: z.output<typeof trustedSchema>;
  skip: SkipString[];
  /** Where its build folders go (the top-level `logs` section filled in); absent without one. */
  logs?: LogsLocationConfig;
}

/** A logs remote and branch, and the web page of that remote. */
export interface LogsLocationConfig {
  remote: string;
  branch: string;
  webUrl?: string;
}

type RepoLogsOverride = z.output<typeof servedRepoSchema>['logs'];

/** A repository's logs location: its override, with the top-level section filling in what it leaves out. */
function resolveRepoLogs(logs: LogsLocationConfig | undefined, override: RepoLogsOverride): LogsLocationConfig | undefined {
  if (!logs) return undefined;
  const remote = override?.remote ?? logs.remote;
  const webUrl = override?.webUrl ?? (remote === logs.remote ? logs.webUrl : undefined);
  return { remote, branch: override?.branch ?? logs.branch, ...(webUrl ? { webUrl } : {}) };
}

interface GithubRepoSettings {
  repo?: string;
  repos: z.output<typeof servedRepoSchema>[];
  cloneUrl?: string;
  trustGate: boolean;
  trusted: z.output<typeof trustedSchema>;
}

/** `github.repo` (first, with the section's own settings) and `github.repos`, resolved. */
function resolveServedRepos(github: GithubRepoSettings, logs: LogsLocationConfig | undefined): ServedRepo[] {
  const withLogs = (override: RepoLogsOverride) => {
    const location = resolveRepoLogs(logs, override);
    return location ? { logs: location } : {};
  };
  const fromSection = (repo: string): ServedRepo => ({ repo, cloneUrl: github.cloneUrl, trustGate: github.trustGate, trusted: github.trusted, skip: [], ...withLogs(undefined) });
  const listed = github.repos.map((r): ServedRepo => ({
    repo: r.repo,
    cloneUrl: r.cloneUrl ?? github.cloneUrl,
    trustGate: r.trust?.gate ?? github.trustGate,
    trusted: {
      associations: r.trust?.associations ?? github.trusted.associations,
      users: r.trust?.users ?? github.trusted.users,
      orgs: r.trust?.orgs ?? github.trusted.orgs,
    },
    skip: r.skip,
    ...withLogs(r.logs),
  }));
  const first = github.repo;
  if (first === undefined || listed.some((r) => r.repo.toLowerCase() === first.toLowerCase())) return listed;
  return [fromSection(first), ...listed];
}

/** Problems with the served repositories and the builders' `repos`, as [path, message]. */
function servedRepoProblems(github: GithubRepoSettings, builders: Array<{ repos?: string[] }>, logs: LogsLocationConfig | undefined): Array<[Array<string | number>, string]> {
  const problems: Array<[Array<string | number>, string]> = [];
  if (github.repo === undefined && github.repos.length === 0) problems.push([['github', 'repo'], 'expected a repository as "owner/name" (or a list in github.repos)']);
  const seen = new Map<string, number>();
  github.repos.forEach((r, i) => {
    const key = r.repo.toLowerCase();
    if (seen.has(key)) problems.push([['github', 'repos', i, 'repo'], `duplicate repository "${r.repo}" (also github.repos[${seen.get(key)}])`]);
    seen.set(key, i);
  });
  // A logs override needs the section it falls back on; a remote and branch is one web page.
  const webUrls = new Map<string, [number, string | undefined]>();
  github.repos.forEach((r, i) => {
    if (!r.logs) return;
    if (!logs) {
      problems.push([['github', 'repos', i, 'logs'], 'expected a top-level logs section as well (keepDays and the keys left out here come from it)']);
      return;
    }
    const location = resolveRepoLogs(logs, r.logs) as LogsLocationConfig;
    const key = `${location.remote}\n${location.branch}`;
    const other = webUrls.get(key) ?? (key === `${logs.remote}\n${logs.branch}` ? [-1, logs.webUrl] : undefined);
    if (other && other[1] !== location.webUrl) {
      const where = other[0] < 0 ? 'logs.webUrl' : `github.repos[${other[0]}].logs.webUrl`;
      problems.push([['github', 'repos', i, 'logs', 'webUrl'], `expected the same web URL as ${where} (same remote and branch), got ${location.webUrl ? `"${location.webUrl}"` : 'none'}`]);
    }
    if (!other) webUrls.set(key, [i, location.webUrl]);
  });
  const served = resolveServedRepos(github, logs).map((r) => r.repo);
  builders.forEach((b, i) =>
    b.repos?.forEach((name, j) => {
      if (!served.some((r) => r.toLowerCase() === name.toLowerCase())) problems.push([['builders', i, 'repos', j], `expected one of the served repositories (${served.join(', ')}), got "${name}"`]);
    }));
  return problems;
}

// ---- end of issue 17's block ----

// --- Scheduled and forced builds (issue 18): `triggers.schedule` and a builder's `properties`. ---

/** A cron pattern croner reads (5 fields, or 6 with seconds first; @daily, @hourly…), checked now rather than at 03:00. */
const cronSchema = z.string().min(1).superRefine((pattern, ctx) => {
  try {
    new Cron(pattern, { paused: true });
  } catch (error) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a cron pattern such as '0 3 * * *' or '@daily', got ${JSON.stringify(pattern)} (${(error as Error).message.replace(/^CronPattern: /, '')})` });
  }
});

const timeZoneSchema = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, { error: (issue) => `expected an IANA time zone such as 'Europe/Berlin', got ${JSON.stringify(issue.input)}` });

const scheduleSchema = z
  .union([
    /** Just the pattern: the default branch below, in the master's time zone, every time. */
    cronSchema,
    z
      .object({
        cron: cronSchema,
        /** IANA time zone the pattern is read in (default: the master's). */
        timezone: timeZoneSchema.optional(),
        /** The branch to build (default main); or give `tag` instead. */
        branch: z.string().min(1).optional(),
        /** A tag to build instead of a branch. */
        tag: z.string().min(1).optional(),
        /** Build only when the branch moved since this builder's last scheduled build (default false). */
        onlyIfChanged: z.boolean().prefault(false),
      })
      .strict()
      .superRefine((s, ctx) => {
        if (s.branch !== undefined && s.tag !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tag'], message: 'expected "branch" or "tag", not both' });
      }),
  ])
  .transform((s) => {
    const full = typeof s === 'string' ? { cron: s, onlyIfChanged: false } : s;
    return { cron: full.cron, timezone: full.timezone, ref: full.tag !== undefined ? `refs/tags/${full.tag}` : `refs/heads/${full.branch ?? 'main'}`, onlyIfChanged: full.onlyIfChanged };
  });

/** A property a forced build may set: given to every step as GATEHOUSE_PROP_<name>. */
const propertySchema = z
  .object({
    /** Shown beside the field of the forced-build form. */
    description: z.string().optional(),
    /** The value when the form or the API leaves it out (default empty). */
    default: z.string().prefault(''),
    /** The only values allowed (default: any text). */
    choices: z.array(z.string()).min(1).optional(),
  })
  .strict();
/** Properties by name; a name becomes part of an environment variable, so it must be one. */
const propertiesSchema = z.record(z.string(), propertySchema).superRefine((props, ctx) => {
  for (const name of Object.keys(props)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `expected a property name of letters, digits and "_" (it becomes GATEHOUSE_PROP_<name>), got "${name}"` });
  }
});

// --- end of scheduled and forced builds ---

const PR_ACTIONS = ['opened', 'synchronize', 'reopened', 'ready_for_review', 'labeled'] as const;

const triggersSchema = z
  .object({
    /** Pull request events that start this builder; `false` turns them off. */
    pullRequest: z
      .union([
        z.literal(false),
        z
          .object({
            /** Base branches (globs) (default: all). */
            branches: globList.prefault(['**']),
            /** Which actions start a build (default: all of these). */
            actions: z.array(z.enum(PR_ACTIONS)).prefault([...PR_ACTIONS]),
            /** Build draft PRs too (default false). */
            drafts: z.boolean().prefault(false),
          })
          .strict(),
      ])
      .prefault({}),
    /** Push events (branches and tags, globs); off unless set. */
    push: z
      .union([z.literal(false), z.object({ branches: globList.prefault([]), tags: globList.prefault([]) }).strict()])
      .prefault(false),
    /** Comment commands that re-run this builder: alone, or followed by this builder's name. */
    comments: z.array(z.string().min(1)).prefault(['/retest', 'recheck']),
    /** A PR whose title or head commit message contains one of these is skipped (or, for `{ match, then: 'docs' }`, runs only its `docs` steps). */
    skipTitle: z.array(skipStringSchema).prefault(['[CI:DOCS]', '[skip ci]']),
    /** Only build when a changed file matches one of these globs (default: any change). */
    paths: globList.optional(),
    /** Changed files matching these globs do not count (e.g. docs/**). */
    ignorePaths: globList.optional(),
    /** A label that asks for a run when added (pull_request.labeled). */
    label: z.string().min(1).optional(),
    /** Run after a build of this builder succeeds, on the same commit (a chain: build, then test). */
    after: nameSchema.optional(),
    /** Build on a schedule: a cron pattern, or { cron, timezone, branch | tag, onlyIfChanged } (default none). See docs/scheduled-builds.md. */
    schedule: scheduleSchema.optional(),
  })
  .strict();

const vmSchema = z
  .object({
    /** Name of an entry in `images`. */
    image: nameSchema,
    /** Guest memory (default 2048). */
    memoryMiB: z.number().int().min(256).prefault(2048),
    /** Guest vCPUs (default 2). */
    cpus: z.number().int().min(1).prefault(2),
    /** Allow outbound network from the guest (default false: restricted). */
    network: z.boolean().prefault(false),
    /** This builder's own check of a new image version, run after the image's `smoke`; a failure keeps the old version current (default none). */
    smoke: z.string().min(1).optional(),
  })
  .strict();

const builderSchema = z
  .object({
    name: nameSchema,
    /** The repositories (of github.repo / github.repos) this builder runs for (default: all). */
    repos: z.array(repoSchema).min(1).optional(),
    /** Where steps run: `vm` (a throwaway VM, the default when `vm` is set) or `host` (dev and demos). */
    executor: z.enum(['vm', 'host']).optional(),
    vm: vmSchema.optional(),
    /** The worker architecture this builder needs (default: the image's, else any). */
    arch: z.string().optional(),
    /** Worker labels this builder needs (all of them). */
    labels: z.array(z.string()).prefault([]),
    /** Most builds of this builder running at once (default: no cap). */
    maxConcurrent: z.number().int().positive().optional(),
    /**
     * Its builds' place in the queue: higher goes first, equal ones oldest first (default 0; may be
     * negative). A forced build may set its own. A waiting build gains 1 every
     * `dispatch.priorityAgingMinutes`, so a low one is not passed over forever.
     */
    priority: z.number().int().min(-1000).max(1000).prefault(0),
    /** Whole-build timeout (default 3h). */
    timeout: durationSchema.prefault('3h'),
    /** Environment for every step; values may be secrets (masked in logs). */
    env: envSchema.prefault({}),
    /** Test the merge of the PR into its base instead of its head (default false). */
    mergeBase: z.boolean().prefault(false),
    triggers: triggersSchema.prefault({}),
    /** Properties a forced build may set (name → { description, default, choices }) (default none). */
    properties: propertiesSchema.prefault({}),
    steps: z.array(stepSchema).min(1),
  })
  .strict()
  .transform((b) => ({ ...b, executor: b.executor ?? (b.vm ? ('vm' as const) : ('host' as const)) }));

const workerSchema = z
  .object({
    name: nameSchema,
    /** Shared secret the worker presents when it dials in. */
    secret: secretSchema,
    /** Builds at once (default 1). */
    slots: z.number().int().positive().prefault(1),
    /** Labels builders can ask for. */
    labels: z.array(z.string()).prefault([]),
    /** How long a lost worker may take to come back before its builds end as error (default 60s). */
    gracePeriod: durationSchema.prefault('60s'),
  })
  .strict();

/** How new versions of an image are made (`gatehouse images build`, and the worker's scheduled rebuild). */
const imageBuildSchema = z
  .object({
    /** vm-image/build.sh --distro (default debian); the arch is the image's. */
    distro: z.enum(['debian', 'centos-stream']).prefault('debian'),
    /** Debian suite (default: build.sh's, bookworm). */
    suite: z.string().min(1).optional(),
    /** Extras baked in: `docker` (docker.io, apparmor, a busybox rootfs for `docker import`) (default none). */
    with: z.array(z.literal('docker')).prefault([]),
    /** More Debian packages baked in (build.sh --packages) (default none). */
    packages: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/, 'a Debian package name')).prefault([]),
    /** An image directory built with the same recipe (e.g. a CI cache): copied and restamped instead of built (build.sh --seed). */
    seed: z.string().min(1).optional(),
    /** Another builder instead of build.sh: argv, run with `--out DIR` appended; it must leave disk.qcow2, kernel, initrd.img in DIR. */
    command: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

const imageSchema = z
  .object({
    /** The guest's architecture; one the host cannot run natively boots under TCG. */
    arch: z.enum(['x86_64', 'ppc64le', 'aarch64', 's390x']),
    /** The base qcow2 (never written: each build boots an overlay on it). vm-image/build.sh writes disk.qcow2. With `build`: relative to the version's directory (default disk.qcow2). */
    disk: z.string().optional(),
    /** Kernel and initrd for direct kernel boot (build.sh: kernel, initrd.img). With `build`: relative to the version's directory (defaults kernel, initrd.img). */
    kernel: z.string().optional(),
    initrd: z.string().optional(),
    /** Extra kernel command line, after gatehouse's own (root= from the image's manifest.json, else root=/dev/vda rw). */
    cmdline: z.string().optional(),
    /**
     * Build dated versions of this image under <vm.imagesDir>/<name>/<name>-YYYYMMDD[.N]/ (default: none,
     * the files above are used as they are). A new version is booted and checked (SSH host key as in its
     * manifest, then `smoke` and each builder's `vm.smoke`) before builds switch to it.
     */
    build: imageBuildSchema.optional(),
    /** Use this version (a directory name under <vm.imagesDir>/<name>/) instead of the current one; it is never pruned (default: the current). */
    version: nameSchema.optional(),
    /** Shell command run as the CI user in a booted new version; it must exit 0 for the version to become current (default `true`). */
    smoke: z.string().min(1).prefault('true'),
    /** Rebuild when the current version is older than this; the worker checks at start and hourly; 0 or false: never (default 7d). */
    rebuildEvery: z
      .union([z.literal(false), durationSchema])
      .prefault('7d')
      .transform((v) => (v === false ? 0 : v)),
    /** A version unused (not current, no build) for this many days is marked obsolete, and deleted this many days later (default 14). */
    keepDays: z.number().int().positive().prefault(14),
  })
  .strict()
  .superRefine((image, ctx) => {
    if (image.build) return;
    for (const key of ['disk', 'kernel', 'initrd'] as const) {
      if (image[key] === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: `expected "${key}" (or a "build" section, whose current version supplies it)` });
    }
  });

const warmPoolEntrySchema = z.union([
  /** Just a size: VMs of 2048 MiB, 2 vCPUs, no network (the builders' defaults). */
  z.number().int().min(0),
  z
    .object({
      /** How many VMs of this image to keep booted (default 1). */
      size: z.number().int().min(0).prefault(1),
      /** A pooled VM serves only builds asking for the same memory, vCPUs and network (defaults 2048, 2, false). */
      memoryMiB: z.number().int().min(256).prefault(2048),
      cpus: z.number().int().min(1).prefault(2),
      network: z.boolean().prefault(false),
    })
    .strict(),
]);

/** How workers run VMs (the `vm` executor). Every key has a default; the section may be left out. */
const vmSettingsSchema = z
  .object({
    /**
     * libvirt domain type (default `qemu`): `kvm` for hardware virtualization on production hosts;
     * `qemu` is TCG emulation, slower but it runs everywhere, including hosts whose /dev/kvm cannot
     * boot a stock kernel (nested PVM). A guest of another architecture always runs as `qemu`.
     */
    domainType: z.enum(['kvm', 'qemu']).prefault('qemu'),
    /** Which libvirtd the worker drives (default qemu:///system). */
    libvirtUri: z.string().min(1).prefault('qemu:///system'),
    /** From domain start to SSH answering; past it the VM is retried once on a fresh one, then the build errors (default 3m). */
    bootTimeout: durationSchema.prefault('3m'),
    /** VMs booted ahead, per image name: a number (size) or { size, memoryMiB, cpus, network } (default none). */
    warmPool: z.record(nameSchema, warmPoolEntrySchema).prefault({}),
    /** Where relative `images` paths point, and where vm-image/build.sh output goes (default <dataDir>/images; relative: to dataDir). */
    imagesDir: z.string().min(1).prefault('images'),
    /**
     * How a build's VM starts (default `boot`): `boot` cold-boots the image; `snapshot` restores a
     * memory snapshot of the booted image (≈3 s to the first step instead of ≈10 s under TCG), made on the first use of
     * an image version and kept in its directory. A snapshot that cannot be restored is deleted and
     * the build cold-boots.
     */
    restore: z.enum(['snapshot', 'boot']).prefault('boot'),
  })
  .strict()
  .prefault({});

/** Where the master keeps the files builds collect (`artifacts` of steps). JUnit reports always stay in the data directory. */
const artifactsSchema = z
  .object({
    /** `directory`: <dataDir>/artifacts on the master (default). `s3`: an S3-compatible bucket (AWS, IBM COS, MinIO, Ceph). */
    store: z.enum(['directory', 's3']).prefault('directory'),
    /** The largest file artifact the master takes, in MiB (default 4096; at most 5120 with s3); a larger one is named in the step's log and errors its step. */
    maxFileMiB: z.number().int().min(1).prefault(4096),
    s3: z
      .object({
        /** The service's URL (e.g. https://s3.us-south.cloud-object-storage.appdomain.cloud); default AWS. */
        endpoint: z.string().url().optional(),
        bucket: z.string().min(3),
        /** Signing region (default us-east-1; IBM COS accepts any). */
        region: z.string().prefault('us-east-1'),
        /** Object keys are <prefix><build id>/<path> (default gatehouse/artifacts/). */
        prefix: z.string().prefault('gatehouse/artifacts/'),
        accessKeyId: secretSchema,
        secretAccessKey: secretSchema,
        /** Path-style URLs (bucket in the path), which most S3-compatible services need (default true). */
        forcePathStyle: z.boolean().prefault(true),
      })
      .strict()
      .optional(),
  })
  .strict()
  .prefault({})
  .superRefine((a, ctx) => {
    if (a.store === 's3' && !a.s3) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['s3'], message: 'expected an s3 section (endpoint, bucket, accessKeyId, secretAccessKey) for store "s3"' });
    // One PUT carries at most 5 GiB (S3's limit for a single-part upload).
    if (a.store === 's3' && a.maxFileMiB > 5120) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['maxFileMiB'], message: `expected at most 5120 (5 GiB, S3's largest single upload) with store "s3", got ${a.maxFileMiB}` });
  });

export const configSchema = z
  .object({
    /** Shown in the UI title. */
    title: z.string().prefault('gatehouse'),
    http: z
      .object({
        /** Port for webhooks, the UI, the API and workers (default 8010). */
        port: z.number().int().min(0).max(65535).prefault(8010),
        /** Listen address (default 0.0.0.0). */
        host: z.string().prefault('0.0.0.0'),
        /** How others reach this master: the UI link of statuses whose build has no logs-branch folder, and of all statuses without a `logs` web page (default none: such statuses carry no link; `gatehouse doctor` warns). */
        publicUrl: z.string().url().optional(),
        /** Token for the API's actions (rebuild, force, cancel); without it those are refused. */
        adminToken: secretSchema.optional(),
        /** Webhook bytes held in memory before their signature is checked, all requests together; a delivery that does not fit is answered 503 with Retry-After (default 32, at least 25: GitHub's largest payload). */
        webhookBufferMiB: z.number().int().min(25).prefault(32),
        /** A webhook's body must have arrived this long after its headers, or the connection is cut (default 30s). */
        webhookBodyTimeout: durationSchema.prefault('30s'),
        /** A request's headers must have arrived this long after the connection opened, or it is cut (default 15s). */
        headersTimeout: durationSchema.prefault('15s'),
      })
      .strict()
      .prefault({}),
    /** Where the database, logs and caches live (default ./.gatehouse). */
    dataDir: z.string().prefault('./.gatehouse'),
    github: z
      .object({
        /** The upstream repository whose pull requests are tested (or list several in `repos`). */
        repo: repoSchema.optional(),
        /** Several repositories served by this master, each with its own settings where needed; `repo`, when also set, is the first. */
        repos: z.array(servedRepoSchema).prefault([]),
        /** A token (PAT) for the REST API. */
        token: secretSchema.optional(),
        /** Or a GitHub App. */
        app: z.object({ appId: z.number().int().positive(), privateKey: secretSchema, installationId: z.number().int().positive() }).strict().optional(),
        /** The webhook secret; signatures are checked against it. */
        webhookSecret: secretSchema,
        /** Older secrets still accepted during a rotation. */
        previousWebhookSecrets: z.array(secretSchema).prefault([]),
        /** Where workers fetch the source (a URL or a path; default: the clone_url in each webhook). */
        cloneUrl: z.string().min(1).optional(),
        /** REST API base (default https://api.github.com). */
        apiUrl: z.string().url().prefault('https://api.github.com'),
        /** Web base for links (default https://github.com). */
        webUrl: z.string().url().prefault('https://github.com'),
        /** Commit status context; {builder} and {repo} ("owner/name") are replaced (default gatehouse/{builder}). */
        statusContext: z.string().prefault('gatehouse/{builder}'),
        /** Hold fork PRs of untrusted authors until a trusted user comments the approve command (default true). */
        trustGate: z.boolean().prefault(true),
        /** The approve command (default /ok-to-test). */
        approveCommand: z.string().prefault('/ok-to-test'),
        /** How often open pull requests are listed to queue heads whose webhook never arrived (also at start); 0 turns it off (default 5m). */
        reconcileInterval: durationSchema.prefault('5m'),
        trusted: trustedSchema.prefault({}),
        // Check runs and the pull request comment (master/checks/, master/pr-comments/; docs/check-runs.md).
        /** How builds are reported: commit statuses, check runs (GitHub App auth only), or both (default: checks with an App, statuses with a token). */
        report: z.enum(['statuses', 'checks', 'both']).optional(),
        /** One comment per pull request with each builder's result, edited in place as builds go (default: none). */
        prComment: z
          .object({
            /** The builders it lists (default all). */
            builders: z.array(z.string()).optional(),
            /** Post it even when every build of the head was skipped (default false). */
            whenAllSkipped: z.boolean().prefault(false),
          })
          .strict()
          .optional(),
      })
      .strict(),
    smee: z.object({ url: z.string().url() }).strict().optional(),
    logs: z
      .object({
        /** The git repository the logs branch is pushed to (a URL or a path). */
        remote: z.string().min(1),
        /** Branch the build folders are committed to; created as an orphan branch when missing (default ci-logs). */
        branch: z.string().prefault('ci-logs'),
        /** Build folders on the branch, local logs and artifacts, and database rows older than this many days are pruned daily (default 90). */
        keepDays: z.number().int().positive().prefault(90),
        /** The build folders on the branch together (e.g. "2GiB", as files, not as git packs them; default no limit): past it, the oldest finished folders are dropped in the same rewrite. */
        branchKeepBytes: sizeSchema.optional(),
        /** Web URL of the logs repository, for Details links (default: derived from a GitHub remote). */
        webUrl: z.string().url().optional(),
      })
      .strict()
      .optional(),
    artifacts: artifactsSchema,
    /** The data disk: how much the builds' files may take, and when it counts as too full (docs/operations.md). */
    storage: z
      .object({
        /**
         * Step logs and artifacts in the data directory, all builds together (e.g. "20GiB"; default no
         * limit). Past it, the oldest finished builds are pruned until under it, at start of each
         * retention run; never a running build, the newest of its builder, or one a queued or running
         * build still downloads from.
         */
        keepBytes: sizeSchema.optional(),
        /** A warning is logged (and gatehouse_data_disk_used_ratio shows it) when the data disk is fuller than this (default 90). */
        warnAbovePercent: z.number().min(1).max(100).prefault(90),
      })
      .strict()
      .prefault({}),
    // Notifications (issue 18): who hears of builders failing and passing again, lost workers, VM
    // images that failed to rebuild, and statuses or logs that cannot be pushed. See docs/notifications.md.
    notifications: z
      .object({
        /** Messages of one topic (a builder, a worker, an image) go out at most this often; what happens meanwhile is sent as one message (default 10m). */
        minInterval: durationSchema.prefault('10m'),
        /** Commit statuses or logs-branch updates failing for this long are reported, and again when they go through (default 15m). */
        reportingFailingAfter: durationSchema.prefault('15m'),
        /** A notification that cannot be sent is retried with backoff for this long, then given up (default 1d). */
        giveUpAfter: durationSchema.prefault('1d'),
        /** Mail over SMTP. */
        email: z
          .object({
            host: z.string().min(1),
            /** Default 587 (submission; STARTTLS when the server offers it). */
            port: z.number().int().min(1).max(65535).prefault(587),
            /** TLS from the first byte (port 465) instead of STARTTLS (default false). */
            secure: z.boolean().prefault(false),
            user: z.string().optional(),
            password: secretSchema.optional(),
            /** The From: address, e.g. "gatehouse <ci@example.org>". */
            from: z.string().min(1),
            /** Recipients. */
            to: z.array(z.string().min(1)).min(1),
          })
          .strict()
          .optional(),
        /** A message in one IRC channel (the client joins, says it, and quits). */
        irc: z
          .object({
            host: z.string().min(1),
            /** Default 6697 (TLS). */
            port: z.number().int().min(1).max(65535).prefault(6697),
            /** Default true. */
            tls: z.boolean().prefault(true),
            /** Default gatehouse. */
            nick: z.string().regex(/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,29}$/, 'an IRC nickname').prefault('gatehouse'),
            /** The channel, e.g. "#openstack-cinder". */
            channel: z.string().regex(/^[#&][^\s,\x07]{1,49}$/, 'an IRC channel such as "#ci"'),
            /** The server password (PASS), if the network wants one. */
            password: secretSchema.optional(),
            /** The channel key (+k), if the channel has one. */
            channelKey: secretSchema.optional(),
          })
          .strict()
          .optional(),
        /** JSON POSTs: `slack` and `mattermost` send { text }, `matrix` { text, html } (a hookshot generic webhook), `json` the whole notice. */
        webhooks: z
          .array(
            z
              .object({
                /** The URL; a secret reference when the URL carries a token (as Slack's do). */
                url: z.union([z.string().url('an http(s) URL, or a secret reference such as { env: \'SLACK_HOOK_URL\' }'), secretSchema]),
                format: z.enum(['json', 'slack', 'mattermost', 'matrix']).prefault('json'),
              })
              .strict(),
          )
          .prefault([]),
      })
      .strict()
      .prefault({}),
    /** How the dispatcher picks among queued builds. See docs/scheduled-and-forced-builds.md. */
    dispatch: z
      .object({
        /** A queued build's priority rises by 1 for each this many minutes it has waited, so lower ones are not starved (default 10). */
        priorityAgingMinutes: z.number().int().positive().prefault(10),
      })
      .strict()
      .prefault({}),
    workers: z.array(workerSchema).prefault([]),
    /** VM images by name; relative paths are relative to vm.imagesDir. */
    images: z.record(nameSchema, imageSchema).prefault({}),
    vm: vmSettingsSchema,
    builders: z.array(builderSchema).min(1),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.builders.forEach((b, i) => {
      if (seen.has(b.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['builders', i, 'name'], message: `duplicate builder name "${b.name}" (also builders[${seen.get(b.name)}])` });
      seen.set(b.name, i);
      if (b.executor === 'vm' && !b.vm) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['builders', i, 'vm'], message: 'expected a vm section for executor "vm"' });
      if (b.triggers.after !== undefined && !config.builders.some((o) => o.name === b.triggers.after)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['builders', i, 'triggers', 'after'], message: `expected the name of another builder, got "${b.triggers.after}"` });
      }
      const checkDownloads = (steps: StepOutput[], at: Array<string | number>): void =>
        steps.forEach((step, j) => {
          const from = step.download?.from;
          if (from !== undefined && !config.builders.some((o) => o.name === from && o.name !== b.name)) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...at, j, 'download', 'from'], message: `expected the name of another builder, got "${from}"` });
          }
          if (step.parallel) checkDownloads(step.parallel, [...at, j, 'parallel']);
        });
      checkDownloads(b.steps, ['builders', i, 'steps']);
      if (b.vm && !(b.vm.image in config.images)) {
        const known = Object.keys(config.images);
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['builders', i, 'vm', 'image'], message: `expected one of the images (${known.length ? known.join(', ') : 'none defined'}), got "${b.vm.image}"` });
      }
    });
    for (const image of Object.keys(config.vm.warmPool)) {
      if (!(image in config.images)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['vm', 'warmPool', image], message: `expected one of the images (${Object.keys(config.images).join(', ') || 'none defined'}), got "${image}"` });
    }
    const workers = new Set<string>();
    config.workers.forEach((w, i) => {
      if (workers.has(w.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['workers', i, 'name'], message: `duplicate worker name "${w.name}"` });
      workers.add(w.name);
    });
    const report = config.github.report;
    if ((report === 'checks' || report === 'both') && !config.github.app) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['github', 'report'], message: `expected "statuses" without a GitHub App (github.app): check runs need App auth, got "${report}"` });
    }
    config.github.prComment?.builders?.forEach((name, i) => {
      if (!config.builders.some((b) => b.name === name)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['github', 'prComment', 'builders', i], message: `expected the name of a builder, got "${name}"` });
      }
    });
    if (!config.github.token && !config.github.app) {
      // Allowed: intake and the queue work without API access; statuses and path filters need it.
    }
    for (const [path, message] of servedRepoProblems(config.github, config.builders, config.logs)) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
  })
  // After validation: `github.repos` lists every served repository resolved, and `github.repo` is
  // the first of them, so code written for one repository keeps working.
  .transform((config) => {
    const repos = resolveServedRepos(config.github, config.logs);
    return { ...config, github: { ...config.github, repo: (repos[0] as ServedRepo).repo, repos } };
  });

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

// The shapes the REST API returns, shared by the server and the web UI (master/ui/web). This file
// imports nothing at runtime and nothing from node, so the browser build can use it as is;
// api-types-check.ts makes the compiler prove the server's row mappers still match it.

export type BuildState = 'queued' | 'running' | 'finished';
export type BuildResult = 'success' | 'failure' | 'error' | 'cancelled' | 'skipped';
export type RequestState = 'awaiting-approval' | 'queued' | 'claimed' | 'complete';
export type StepState = 'pending' | 'running' | 'finished';
/** What came of a delivery; `cancelled`: it ended builds (a closed pull request). */
export type DeliveryOutcome = 'pending' | 'queued' | 'skipped' | 'ignored' | 'cancelled' | 'error';

/** Buildbot's list shape: `{ "<plural>": [...], "meta": { "total": N } }`. */
export type ApiList<K extends string, T> = { [key in K]: T[] } & { meta: { total: number } };

/** Times are milliseconds since the epoch. */
export interface ApiBuild {
  id: number;
  builder: string;
  number: number;
  state: BuildState;
  result: BuildResult | null;
  result_reason: string | null;
  reason: string;
  repo: string;
  pr: number | null;
  sha: string | null;
  ref: string | null;
  worker: string | null;
  cancel_requested: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** The VM image the build booted, its version (<image>-YYYYMMDD[.N], or the manifest's name) and when (vm builds). */
  image: string | null;
  image_version: string | null;
  image_used_at: number | null;
}

export interface ApiStep {
  /** Position in the builder: "0", "1", "2.0"… */
  step: string;
  name: string;
  state: StepState;
  result: BuildResult | null;
  exit_code: number | null;
  reason: string | null;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  log_bytes: number;
}

export interface ApiBuildRequest {
  id: number;
  builder: string;
  state: RequestState;
  /** Why it is not running yet, as the dispatcher last said. */
  waiting: string | null;
  attempts: number;
  worker: string | null;
  build_id: number | null;
  repo: string | null;
  pr: number | null;
  sha: string | null;
  reason: string | null;
  created_at: number;
  claimed_at: number | null;
}

/** GET /api/v2/queue: a waiting request (queued or awaiting approval) with its build's number. */
export interface ApiQueueEntry extends ApiBuildRequest {
  number: number;
}

export interface ApiWorker {
  name: string;
  configured: boolean;
  connected: boolean;
  connected_since: number | null;
  last_seen: number | null;
  version: string | null;
  slots: number | null;
  arch: string[];
  labels: string[];
  images: string[];
  /** Each image's versions as the worker last reported them (empty from older workers). */
  image_versions: ApiImageFamily[];
  running_builds: number[];
}

/** One image of a worker: its current version and every version's lifecycle state. */
export interface ApiImageFamily {
  image: string;
  current?: string;
  versions: Array<{ name: string; state: 'candidate' | 'current' | 'previous' | 'obsolete' | 'failed'; builtAt: string; verifiedAt?: string; lastUsedAt?: string; obsoleteAt?: string; failure?: string }>;
}

export interface ApiDelivery {
  id: string;
  event: string;
  action: string | null;
  repo: string | null;
  pr: number | null;
  sha: string | null;
  outcome: DeliveryOutcome;
  detail: string | null;
  received_at: number;
}

/** GET /api/v2/ui/info: what the page needs once (title, link bases). */
export interface ApiInfo {
  title: string;
  repo: string;
  /** GitHub's web base, e.g. https://github.com. */
  web_url: string;
  approve_command: string;
  /** Where the logs branch can be browsed, when one is configured. */
  logs: { branch: string; web_url: string | null } | null;
  /** Whether rebuild/cancel can work at all (an admin token is configured). */
  actions: boolean;
}

export type BuilderState = 'idle' | 'running' | 'waiting';

/** A worker that can run a builder (its arch, labels and image match). */
export interface ApiBuilderWorker {
  name: string;
  connected: boolean;
}

/** GET /api/v2/ui/builders: one row per configured builder, with its last builds. */
export interface ApiBuilderSummary {
  name: string;
  executor: 'vm' | 'host';
  image: string | null;
  arch: string | null;
  labels: string[];
  max_concurrent: number | null;
  steps: string[];
  state: BuilderState;
  running: number;
  queued: number;
  awaiting_approval: number;
  /** Newest first, at most 15. */
  recent: ApiBuild[];
  workers: ApiBuilderWorker[];
}

export interface ApiJunitFailure {
  /** "failure" (an assertion) or "error" (the test crashed). */
  kind: 'failure' | 'error';
  suite: string;
  classname: string;
  name: string;
  message: string;
  /** The element's text (usually a stack trace), cut to a few KB. */
  detail: string;
}

/** GET /api/v2/builds/:id/junit: the build's JUnit results (master/report's summary). */
export interface ApiJunit {
  tests: number;
  /** Failures and errors together. */
  failed: number;
  skipped: number;
  /** The first 100 failures and errors; `failed` has the true number. */
  failures: ApiJunitFailure[];
  /** Files that were not JUnit XML, with why. */
  unreadable: string[];
  /** The JUnit files the build collected (paths in its work directory). */
  files: string[];
}

export interface ApiArtifact {
  id: number;
  step: string;
  kind: 'junit' | 'file';
  path: string;
  size: number;
  created_at: number;
}

/** A commit status of the build, as the master's outbox holds it. */
export interface ApiBuildStatus {
  /** awaiting | queued@<attempts> | started@<attempts> | finished */
  transition: string;
  context: string;
  github_state: 'pending' | 'success' | 'failure' | 'error';
  description: string;
  /** pending (not sent yet) | sent | failed (given up) | superseded (a newer state of its sha and context went instead; never sent) */
  state: 'pending' | 'sent' | 'failed' | 'superseded';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

/** The build on the logs branch: what it should show, what it shows, and why it does not yet. */
export interface ApiLogsPublication {
  /** started: the placeholder; finished: the whole folder. */
  wanted: 'started' | 'finished';
  published: 'started' | 'finished' | null;
  attempts: number;
  next_attempt_at: number;
  /** The last failure, as git or the remote said it (a refused push carries the remote's message). */
  last_error: string | null;
  updated_at: number;
}

/** GET /api/v2/builds/:id/reporting: what the build told GitHub and the logs branch. */
export interface ApiBuildReporting {
  statuses: ApiBuildStatus[];
  /** null when the build has no row (it never ran, or there is no logs branch). */
  logs: ApiLogsPublication | null;
}

/** The events of GET /api/v2/events (SSE: `event: <type>`, `data: <json>`). */
export type ApiEvent =
  | { type: 'build'; build: ApiBuild }
  | { type: 'cancel-requested'; buildId: number; reason: string }
  | { type: 'step'; buildId: number; step: string }
  | { type: 'log'; buildId: number; step: string; bytes: number }
  | { type: 'worker'; name: string }
  | { type: 'delivery'; id: string }
  | { type: 'queue' };
export type ApiEventType = ApiEvent['type'];
export const API_EVENT_TYPES: readonly ApiEventType[] = ['build', 'cancel-requested', 'step', 'log', 'worker', 'delivery', 'queue'];

/** GET /api/v2/forwarder: the smee forwarder's state, or `{ enabled: false }` without one. */
export type ApiForwarder = { enabled: false } | ({ enabled: true } & ApiForwarderState);
export interface ApiForwarderState {
  connected: boolean;
  url: string;
  target: string;
  lastEventAt: string | null;
  events: number;
  reconnects: number;
  lastError: string | null;
}

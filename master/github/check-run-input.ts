// A check run as the master posts it (POST/PATCH /repos/{owner}/{repo}/check-runs): what
// master/checks/ builds and the client sends. Check runs need a GitHub App installation token.

export type CheckRunStatus = 'queued' | 'in_progress' | 'completed';
export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required';

/** One line of a file marked on the pull request's diff and in the check run. */
export interface CheckAnnotation {
  path: string;
  startLine: number;
  endLine: number;
  level: 'notice' | 'warning' | 'failure';
  title?: string;
  message: string;
  rawDetails?: string;
}

export interface CheckRunOutput {
  title: string;
  /** Markdown, at most 65535 characters. */
  summary: string;
  /** Markdown, at most 65535 characters. */
  text?: string;
  /** At most MAX_ANNOTATIONS_PER_REQUEST; GitHub appends them to the run's earlier ones. */
  annotations?: CheckAnnotation[];
}

export interface CheckRunInput {
  /** Shown as the check's name, e.g. "gatehouse/lvm". */
  name: string;
  headSha: string;
  /** The build id: how a run is found again after a crash, and what a Re-run names. */
  externalId: string;
  status: CheckRunStatus;
  /** Required with status completed. */
  conclusion?: CheckConclusion;
  detailsUrl?: string;
  startedAt?: Date;
  completedAt?: Date;
  output?: CheckRunOutput;
}

/** What an update sends: only the fields given change. */
export type CheckRunUpdate = Partial<Omit<CheckRunInput, 'name' | 'headSha' | 'externalId'>>;

/** GitHub takes at most this many annotations per request. */
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit on output.summary and output.text. */
export const MAX_OUTPUT_CHARS = 65535;

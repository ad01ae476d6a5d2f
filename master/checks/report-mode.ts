import type { Config } from '../../shared/config.js';

export type ReportMode = 'statuses' | 'checks' | 'both';

/** github.report, or its default: check runs with a GitHub App, commit statuses with a token. */
export function reportMode(github: Pick<Config['github'], 'report' | 'app'>): ReportMode {
  return github.report ?? (github.app ? 'checks' : 'statuses');
}

// One line of `gatehouse doctor`: what was checked, how it went, and what to do about it.

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Short name of what was checked ("github: repository", "libvirt"). */
  name: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do, for warn and fail. */
  fix?: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
export const warn = (name: string, detail: string, fix?: string): CheckResult => ({ name, status: 'warn', detail, fix });
export const fail = (name: string, detail: string, fix?: string): CheckResult => ({ name, status: 'fail', detail, fix });

/** 0: all ok; 1: warnings only; 2: something failed. */
export function doctorExitCode(results: readonly CheckResult[]): 0 | 1 | 2 {
  if (results.some((r) => r.status === 'fail')) return 2;
  return results.some((r) => r.status === 'warn') ? 1 : 0;
}

/** One line per check, the fix indented under it. */
export function formatResults(results: readonly CheckResult[]): string {
  const label = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
  return results
    .map((r) => `${label[r.status]}  ${r.name}: ${r.detail}${r.fix ? `\n      fix: ${r.fix}` : ''}`)
    .join('\n');
}

// What `gatehouse builds` exits with, for scripts (also in docs/cli-builds.md and `--help`).
export const EXIT = {
  /** Done; for `log --follow`, the step or build ended. */
  ok: 0,
  /** The master could not be reached, failed (5xx), or answered something unexpected. */
  failed: 1,
  /** The command line was wrong (unknown option, missing argument, bad value). */
  usage: 2,
  /** No such build, builder, step, or ref. */
  notFound: 3,
  /** No admin token, or the master refused it (actions need one). */
  refused: 4,
  /** The request was refused as it stands: a finished build to cancel, an unknown property, a bad value. */
  rejected: 5,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  done (log --follow: the step or build ended)
  1  the master was unreachable, failed, or answered something unexpected
  2  wrong command line
  3  no such build, builder, step or ref
  4  no admin token, or the master refused it
  5  refused as asked (a finished build to cancel, an unknown property)`;

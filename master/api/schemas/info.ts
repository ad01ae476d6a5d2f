import { z } from 'zod';

const logsBranch = z.object({ branch: z.string(), web_url: z.string().nullable() });

/** GET /api/v2/ui/info: what the page needs once (title, link bases). */
export const apiInfo = z.object({
  title: z.string(),
  /** The first served repository (the only one of a single-repository config). */
  repo: z.string(),
  /** Every repository this master serves ("owner/name"). */
  repos: z.array(z.string()),
  /** GitHub's web base, e.g. https://github.com. */
  web_url: z.string(),
  approve_command: z.string(),
  /** Where the logs branch can be browsed, when one is configured. */
  logs: logsBranch.nullable(),
  /** The served repositories whose builds go to a logs branch of their own (github.repos[].logs), by "owner/name". */
  repo_logs: z.record(z.string(), logsBranch),
  /** Whether rebuild/cancel can work at all (an admin token is configured). */
  actions: z.boolean(),
});
export type ApiInfo = z.infer<typeof apiInfo>;

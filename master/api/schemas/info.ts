import { z } from 'zod';

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
  logs: z.object({ branch: z.string(), web_url: z.string().nullable() }).nullable(),
  /** Whether rebuild/cancel can work at all (an admin token is configured). */
  actions: z.boolean(),
});
export type ApiInfo = z.infer<typeof apiInfo>;

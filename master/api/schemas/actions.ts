import { z } from 'zod';

/** POST /api/v2/builders/:name/rebuild: which build to run again (default: the builder's latest with a sha). */
export const rebuildBody = z
  .object({
    buildId: z.number().int().optional(),
    pr: z.number().int().optional(),
    /** Run even where the PR's no_<builder> label or a skip string says not to (default false). */
    force: z.boolean().optional(),
  })
  .nullable()
  .optional();
export const builderParams = z.object({ name: z.string() });

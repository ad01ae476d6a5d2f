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

/** POST /api/v2/builders/:name/force: build a ref of the served repository. */
export const forceBody = z.object({
  /** A branch or tag (bare, or refs/heads/…, refs/tags/…), a sha, or a pull request (#12, pull/12). */
  ref: z.string().min(1).max(255),
  /** The repository ("owner/name"), when the master serves several (default: the builder's first). */
  repo: z.string().min(3).max(200).optional(),
  /** Values for properties the builder declares (the rest take their defaults). */
  properties: z.record(z.string(), z.string().max(4096)).optional(),
  /** Its place in the queue, instead of the builder's `priority`: higher goes first. */
  priority: z.number().int().min(-1000).max(1000).optional(),
  /** Who asks, for the build's reason (the admin token says only that it is an admin). */
  by: z.string().min(1).max(100).optional(),
});
export type ForceBody = z.infer<typeof forceBody>;

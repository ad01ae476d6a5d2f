import { z } from 'zod';

/** GET /badges/:file — `<builder>.svg`; anything else is answered with the neutral badge too. */
export const badgeParams = z.object({ file: z.string().max(200) });
/** `?branch=main`: the last result of pushes to that branch only (pull requests' builds are left out). */
export const badgeQuery = z.object({ branch: z.string().min(1).max(255).optional() });
export const badgeSvg = {
  description: 'An SVG badge in the shields.io "flat" style: the builder and its last result (passing, failing, error) or "unknown"',
  content: { 'image/svg+xml': { schema: z.string() } },
};
/** If-None-Match named the current ETag. */
export const badgeNotModified = z.null().describe('Not modified: the ETag matched');

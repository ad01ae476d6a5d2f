import { z } from 'zod';
import { listOf, positiveId, time } from './common.js';

export const apiArtifact = z.object({
  id: z.number().int(),
  step: z.string(),
  kind: z.enum(['junit', 'file']),
  path: z.string(),
  size: z.number().int(),
  created_at: time,
});
export type ApiArtifact = z.infer<typeof apiArtifact>;
export const artifactList = listOf('artifacts', apiArtifact);

export const artifactParams = z.object({ id: positiveId, artifact: positiveId });

/** An artifact's bytes: JUnit files as XML, anything else as it is. */
export const artifactContent = {
  description: "the artifact's bytes (sent as an attachment)",
  content: { 'application/xml': { schema: z.string() }, 'application/octet-stream': { schema: z.string() } },
};

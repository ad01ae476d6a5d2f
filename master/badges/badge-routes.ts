// GET /badges/<builder>.svg[?branch=<name>]: a README badge. Always 200 with an SVG (see
// builder-badge.ts for why an unknown builder is not a 404), cacheable for a minute by anyone
// (badges are public), with an ETag so a cache asks again cheaply.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../shared/config.js';
import type { BuildStore } from '../store/build-store.js';
import { badgeNotModified, badgeParams, badgeQuery, badgeSvg as badgeSvgResponse } from '../api/schemas/badges.js';
import { builderBadge } from './builder-badge.js';
import { badgeSvg } from './badge-svg.js';

export const BADGE_MAX_AGE_S = 60;

export async function badgeRoutes(app: FastifyInstance, opts: { builds: Pick<BuildStore, 'latestVerdict'>; config: Pick<Config, 'builders'> }): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/badges/:file',
    { schema: { params: badgeParams, querystring: badgeQuery, response: { 200: badgeSvgResponse, 304: badgeNotModified } } },
    async (req, reply) => {
      const requested = req.params.file.replace(/\.svg$/, '');
      const builder = opts.config.builders.find((b) => b.name === requested);
      const verdict = builder ? opts.builds.latestVerdict(builder.name, req.query.branch === undefined ? undefined : `refs/heads/${req.query.branch}`) : undefined;
      const svg = badgeSvg(builderBadge(requested, verdict));
      const etag = `"${createHash('sha256').update(svg).digest('base64url').slice(0, 22)}"`;
      reply.header('cache-control', `public, max-age=${BADGE_MAX_AGE_S}`).header('etag', etag).header('x-content-type-options', 'nosniff');
      if (req.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return reply.type('image/svg+xml; charset=utf-8').send(svg);
    },
  );
}

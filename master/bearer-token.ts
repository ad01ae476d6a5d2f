// `Authorization: Bearer <secret>`, checked one way for the admin token and for workers' secrets:
// both sides hashed, so the compare takes the same time whatever the lengths.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether the Authorization header carries `secret` as its bearer token. */
export function bearerMatches(authorization: string | undefined, secret: string): boolean {
  const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(secret));
}

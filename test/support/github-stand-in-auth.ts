// Authentication as GitHub does it, enough to tell a token client from an App client: a GitHub
// App signs a JWT (RS256, `iss` = app id) with its private key and trades it at
// POST /app/installations/{id}/access_tokens for an installation token (ghs_...), which it then
// sends like any token. The stand-in checks the JWT with the app's public key.
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { errorBody, installationTokenBody } from './github-stand-in-bodies.js';
import type { Reply } from './github-stand-in-handlers.js';

export interface AppInput {
  appId: number;
  /** PEM (or KeyObject) of the app's public key, to verify the JWTs it signs. */
  publicKey: string | KeyObject;
  installationId: number;
}

/** How a request authenticated: no credentials, a configured token, a minted installation token, an App JWT, or something unknown. */
export type TokenKind = 'none' | 'token' | 'installation' | 'jwt' | 'unknown';

export interface Credentials {
  kind: TokenKind;
  /** The raw credential (never recorded). */
  secret?: string;
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export class AuthState {
  /** installation token → expiry (ms). */
  private readonly installationTokens = new Map<string, number>();
  private readonly tokens: Set<string> | undefined;

  constructor(
    tokens: string[] | undefined,
    private readonly app: AppInput | undefined,
  ) {
    this.tokens = tokens ? new Set(tokens) : undefined;
  }

  /** The App's id (check runs carry it), or 1 without an App. */
  get appId(): number {
    return this.app?.appId ?? 1;
  }

  classify(authorization: string | undefined): Credentials {
    if (!authorization) return { kind: 'none' };
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization.trim());
    if (!m?.[1]) return { kind: 'unknown' };
    const secret = m[1];
    if (this.installationTokens.has(secret)) return { kind: 'installation', secret };
    if (this.tokens?.has(secret)) return { kind: 'token', secret };
    if (JWT.test(secret)) return { kind: 'jwt', secret };
    return { kind: this.tokens ? 'unknown' : 'token', secret };
  }

  /** For the REST endpoints: undefined when allowed, else GitHub's 401. */
  refuse(credentials: Credentials): Reply | undefined {
    const badCredentials: Reply = { status: 401, body: errorBody(401, 'Bad credentials') };
    if (credentials.kind === 'installation') {
      return (this.installationTokens.get(credentials.secret!) ?? 0) > Date.now() ? undefined : badCredentials;
    }
    if (!this.tokens) return credentials.kind === 'jwt' ? badCredentials : undefined;
    return credentials.kind === 'token' ? undefined : badCredentials;
  }

  /** POST /app/installations/{installation_id}/access_tokens. */
  createInstallationToken(credentials: Credentials, installationId: number): Reply {
    if (!this.app || installationId !== this.app.installationId) return { status: 404, body: errorBody(404, 'Not Found') };
    const problem = credentials.kind === 'jwt' ? this.jwtProblem(credentials.secret!) : 'a GitHub App JWT is required (Authorization: Bearer <jwt>)';
    if (problem) return { status: 401, body: errorBody(401, problem) };
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    const expiresAt = new Date(Date.now() + 3600_000);
    this.installationTokens.set(token, expiresAt.getTime());
    return { status: 201, body: installationTokenBody(token, expiresAt) };
  }

  private jwtProblem(jwt: string): string | undefined {
    const [header = '', payload = '', signature = ''] = jwt.split('.');
    let head: { alg?: string };
    let claims: { iss?: unknown; iat?: number; exp?: number };
    try {
      head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as typeof head;
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return 'A JSON web token could not be decoded';
    }
    if (head.alg !== 'RS256') return `JWT alg must be RS256, got ${String(head.alg)}`;
    const key = typeof this.app!.publicKey === 'string' ? createPublicKey(this.app!.publicKey) : this.app!.publicKey;
    if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) return 'JWT signature does not match the app key';
    if (String(claims.iss) !== String(this.app!.appId)) return `'Issuer' claim ('iss') must be ${this.app!.appId}`;
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now) return "'Expiration time' claim ('exp') is too far in the past";
    if (typeof claims.iat !== 'number' || claims.iat > now + 60) return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
    if (claims.exp - claims.iat > 600) return "'Expiration time' claim ('exp') is too far in the future";
    return undefined;
  }
}

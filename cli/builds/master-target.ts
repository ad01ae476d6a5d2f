// Which master the CLI talks to, and with which admin token: flags first, then the environment,
// then the config file (http.publicUrl, else 127.0.0.1 on http.port; http.adminToken's variable).
import { loadConfig } from '../../shared/config.js';
import type { MasterTarget } from './master-api.js';

export interface TargetOptions {
  url?: string;
  config?: string;
  /** The environment variable holding the token (default GATEHOUSE_ADMIN_TOKEN). */
  tokenEnv?: string;
}

export const TARGET_ENV = { url: 'GATEHOUSE_URL', token: 'GATEHOUSE_ADMIN_TOKEN' } as const;

export async function resolveTarget(o: TargetOptions, env: NodeJS.ProcessEnv): Promise<MasterTarget> {
  const tokenFrom = env[o.tokenEnv ?? TARGET_ENV.token];
  let url = o.url ?? env[TARGET_ENV.url];
  let token = tokenFrom;
  if ((!url || !token) && o.config) {
    // Only the admin token's variable is read: this shell need not hold the master's other secrets.
    const { config } = await loadConfig(o.config, { env, onlySecrets: (p) => token === undefined && p[0] === 'http' && p[1] === 'adminToken' });
    url ??= config.http.publicUrl ?? `http://127.0.0.1:${config.http.port}`;
    token ??= config.http.adminToken;
  }
  if (!url) throw new Error(`which master? Give --url, set ${TARGET_ENV.url}, or --config <file>`);
  return { url, token };
}

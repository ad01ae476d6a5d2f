// Wires a running master from a loaded config: the app, the GitHub client, the listener.
import path from 'node:path';
import type { LoadedConfig } from '../shared/config.js';
import { createMaster, type Master } from './create-master.js';
import { createGitHubClient, githubAuthFromConfig } from './github/github-client.js';

export interface RunningMaster extends Master {
  url: string;
}

export async function startMaster(loaded: LoadedConfig, options: { logger?: boolean | object } = {}): Promise<RunningMaster> {
  const { config } = loaded;
  const configDir = loaded.file ? path.dirname(loaded.file) : process.cwd();
  const auth = githubAuthFromConfig(config.github);
  const github = auth ? createGitHubClient(auth) : undefined;
  const master = await createMaster({ config, secrets: loaded.secrets, configDir, github, logger: options.logger ?? { level: 'info' } });
  const address = await master.app.listen({ port: config.http.port, host: config.http.host });
  master.app.log.info({ address, dataDir: config.dataDir, builders: config.builders.map((b) => b.name) }, 'gatehouse master listening');
  return { ...master, url: address };
}

// Wires a running master from a loaded config: the app, the GitHub client, the listener.
import path from 'node:path';
import type { LoadedConfig } from '../shared/config.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { createMaster, type Master } from './create-master.js';
import { collectStartupGarbage } from './startup-garbage.js';

export interface RunningMaster extends Master {
  url: string;
}

export async function startMaster(loaded: LoadedConfig, options: { logger?: Logger } = {}): Promise<RunningMaster> {
  const { config } = loaded;
  const logger = options.logger ?? silentLogger;
  const configDir = loaded.file ? path.dirname(loaded.file) : process.cwd();
  // The GitHub client (octokit) and the smee forwarder (smee-client, ~10 MiB) are loaded only when
  // the config uses them: an idle master's memory is a target (`npm run bench`).
  const github = config.github.token || config.github.app ? await loadGitHubClient(config.github, logger.child({ part: 'github' })) : undefined;
  const master = await createMaster({ config, secrets: loaded.secrets, configDir, github, logger });
  const address = await master.app.listen({ port: config.http.port, host: config.http.host });
  if (config.smee) {
    // Deliveries come back in through our own route, so the signature check applies to them too.
    const port = (master.app.server.address() as { port: number }).port;
    const { startSmeeForwarder } = await import('./smee/smee-forwarder.js');
    master.forwarder.current = startSmeeForwarder({
      source: config.smee.url,
      target: `http://127.0.0.1:${port}/change_hook/github`,
      logger: logger.child({ part: 'smee' }),
    });
  }
  logger.info({ address, dataDir: config.dataDir, builders: config.builders.map((b) => b.name) }, 'gatehouse master listening');
  void collectStartupGarbage();
  return { ...master, url: address };
}

async function loadGitHubClient(github: LoadedConfig['config']['github'], logger: Logger) {
  const { createGitHubClient, githubAuthFromConfig } = await import('./github/github-client.js');
  const auth = githubAuthFromConfig(github);
  return auth ? createGitHubClient(auth, { logger }) : undefined;
}

// The `gatehouse` command: parses arguments and hands over to the part that does the work.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, ConfigError, type LoadedConfig } from '../shared/config.js';
import { startMaster } from '../master/main.js';
import { ensureGeneratedSecrets } from './generated-secrets.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
export const QUICKSTART_CONFIG = path.join(root, 'examples/quickstart/gatehouse.config.mjs');
const QUICKSTART_SECRETS = ['GATEHOUSE_WEBHOOK_SECRET', 'GATEHOUSE_ADMIN_TOKEN', 'GATEHOUSE_WORKER_SECRET'];

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
  return n;
}

interface ServeOptions {
  config?: string;
  port?: number;
  dataDir?: string;
}

/** Load the given config, or the quick-start one with generated secrets. */
async function loadForServe(options: ServeOptions): Promise<LoadedConfig> {
  const overrides = { port: options.port, dataDir: options.dataDir };
  if (options.config) return loadConfig(options.config, { overrides });
  const dataDir = path.resolve(options.dataDir ?? '.gatehouse');
  const generated = ensureGeneratedSecrets(dataDir, QUICKSTART_SECRETS, process.env);
  if (generated.length > 0) console.error(`gatehouse: no --config: using the quick-start config; generated ${generated.join(', ')} in ${path.join(dataDir, 'secrets')}`);
  return loadConfig(QUICKSTART_CONFIG, { overrides: { ...overrides, dataDir } });
}

function fail(error: unknown): never {
  if (error instanceof ConfigError) console.error(`gatehouse: invalid config ${error.message}`);
  else console.error(`gatehouse: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
}

function onSignals(close: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void close().then(() => process.exit(0), () => process.exit(1)));
  }
}

const program = new Command('gatehouse')
  .description('Self-hosted third-party CI for GitHub pull requests')
  .version(pkg.version);

program
  .command('master')
  .description('run the master: webhooks, queue, dispatch, API and UI on one port')
  .option('-c, --config <file>', 'config file (.ts, .mjs, .js, .json); default: the quick-start config')
  .option('-p, --port <port>', 'HTTP port (overrides http.port)', port)
  .option('-d, --data-dir <dir>', 'data directory (overrides dataDir)')
  .action(async (options: ServeOptions) => {
    try {
      const master = await startMaster(await loadForServe(options));
      onSignals(() => master.close());
    } catch (error) {
      fail(error);
    }
  });

program
  .command('check-config')
  .description('validate a config file and print what it defines')
  .argument('<file>', 'config file')
  .action(async (file: string) => {
    try {
      const { config } = await loadConfig(file);
      console.log(`${file}: OK`);
      console.log(`  repository: ${config.github.repo}`);
      console.log(`  port: ${config.http.port}, data: ${config.dataDir}`);
      console.log(`  workers: ${config.workers.map((w) => `${w.name} (${w.slots} slot${w.slots > 1 ? 's' : ''})`).join(', ') || 'none'}`);
      for (const b of config.builders) console.log(`  builder ${b.name}: ${b.executor}${b.vm ? ` on ${b.vm.image}` : ''}, steps: ${b.steps.map((s) => s.name).join(' → ')}`);
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(error.message);
        process.exit(1);
      }
      fail(error);
    }
  });

await program.parseAsync(process.argv);

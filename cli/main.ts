// The `gatehouse` command: parses arguments and hands over to the part that does the work. Each
// command loads its part when it runs: a worker does not load the master (fastify, octokit), and
// the master does not load the worker.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, ConfigError, type LoadedConfig } from '../shared/config.js';
import { ensureGeneratedSecrets, type SecretSource } from './generated-secrets.js';
import { startSummary } from './start-summary.js';
import { ensureDemoRepo } from './demo-repo.js';
import { importEmberConfigCommand } from './import-ember-config.js';
import { imagesCommand } from './images-command.js';
import { notifyCommand } from './notify-command.js';
import { buildsCommand } from './builds/builds-command.js';
import { createLogger, isLogLevel, LOG_LEVELS, LogLevelError, type LogLevel } from '../shared/logger.js';
import { exitOnSignals } from './shutdown.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
export const QUICKSTART_CONFIG = path.join(root, 'examples/quickstart/gatehouse.config.mjs');
const QUICKSTART_SECRETS = ['GATEHOUSE_WEBHOOK_SECRET', 'GATEHOUSE_ADMIN_TOKEN', 'GATEHOUSE_WORKER_SECRET'];

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
  return n;
}

function logLevel(value: string): LogLevel {
  if (!isLogLevel(value)) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds above 0');
  return n;
}

const LOG_LEVEL_HELP = `log level: ${LOG_LEVELS.join(', ')} (default: GATEHOUSE_LOG_LEVEL, else info)`;
const SHUTDOWN_HELP = 'seconds to stop gracefully on SIGTERM/SIGINT before exiting anyway';

interface ServeOptions {
  config?: string;
  port?: number;
  dataDir?: string;
  logLevel?: LogLevel;
  shutdownTimeout: number;
}

/** Load the given config, or the quick-start one with generated secrets (and where each came from). */
async function loadForServe(options: ServeOptions): Promise<{ loaded: LoadedConfig; secretSources?: SecretSource[] }> {
  const overrides = { port: options.port, dataDir: options.dataDir };
  if (options.config) return { loaded: await loadConfig(options.config, { overrides }) };
  const dataDir = path.resolve(options.dataDir ?? '.gatehouse');
  const secretSources = ensureGeneratedSecrets(dataDir, QUICKSTART_SECRETS, process.env);
  console.error('gatehouse: no --config: using the quick-start config');
  process.env.GATEHOUSE_CLONE_URL ??= ensureDemoRepo(dataDir);
  return { loaded: await loadConfig(QUICKSTART_CONFIG, { overrides: { ...overrides, dataDir } }), secretSources };
}

function fail(error: unknown): never {
  const e = error as NodeJS.ErrnoException & { port?: number };
  if (error instanceof ConfigError) console.error(`gatehouse: invalid config ${error.message}`);
  else if (error instanceof LogLevelError) console.error(`gatehouse: ${error.message}`);
  else if (e.code === 'EADDRINUSE') console.error(`gatehouse: port ${e.port ?? ''} is already in use: stop what listens there, or choose another port with --port (or http.port in the config)`);
  else console.error(`gatehouse: ${e.stack ?? String(error)}`);
  process.exit(1);
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
  .option('--log-level <level>', LOG_LEVEL_HELP, logLevel)
  .option('--shutdown-timeout <seconds>', SHUTDOWN_HELP, seconds, 10)
  .action(async (options: ServeOptions) => {
    try {
      const logger = createLogger({ level: options.logLevel });
      const { startMaster } = await import('../master/main.js');
      const { loaded, secretSources } = await loadForServe(options);
      const master = await startMaster(loaded, { logger });
      console.error(startSummary({ config: loaded.config, address: master.url, secretSources }));
      exitOnSignals({ close: () => master.close(), timeoutMs: options.shutdownTimeout * 1000, logger });
    } catch (error) {
      fail(error);
    }
  });

program
  .command('doctor')
  .description('check what a real installation needs: config, secrets, GitHub token and webhook, logs remote, smee, libvirt, KVM, images, disk, port')
  .requiredOption('-c, --config <file>', 'config file (run with the environment the services get, for its secrets)')
  .action(async (options: { config: string }) => {
    const [{ runDoctor }, { formatResults, doctorExitCode }] = await Promise.all([import('./doctor/run-doctor.js'), import('./doctor/doctor-check.js')]);
    const results = await runDoctor({ configFile: options.config });
    console.log(formatResults(results));
    process.exit(doctorExitCode(results));
  });

program
  .command('worker')
  .description('run a worker: dial the master, run builds')
  .requiredOption('-c, --config <file>', 'config file (the worker reads its own entry under workers)')
  .requiredOption('-n, --name <name>', 'which worker of the config this is')
  .option('-m, --master <url>', 'the master (default: http.publicUrl, else ws://127.0.0.1:<http.port>)')
  .option('--log-level <level>', LOG_LEVEL_HELP, logLevel)
  .action(async (options: { config: string; name: string; master?: string; logLevel?: LogLevel }) => {
    try {
      const logger = createLogger({ level: options.logLevel });
      const { runWorkerFromConfig } = await import('../worker/main.js');
      await runWorkerFromConfig({ config: options.config, name: options.name, master: options.master, logger });
      process.exit(0);
    } catch (error) {
      fail(error);
    }
  });

program
  .command('up')
  .description('run a master and a local worker in one process: the quick start')
  .option('-c, --config <file>', 'config file; default: the quick-start config')
  .option('-p, --port <port>', 'HTTP port (overrides http.port)', port)
  .option('-d, --data-dir <dir>', 'data directory (overrides dataDir)')
  .option('-w, --worker <name>', 'which configured worker runs here (default: the first)')
  .option('--log-level <level>', LOG_LEVEL_HELP, logLevel)
  .option('--shutdown-timeout <seconds>', SHUTDOWN_HELP, seconds, 10)
  .action(async (options: ServeOptions & { worker?: string }) => {
    try {
      const logger = createLogger({ level: options.logLevel });
      const { loaded, secretSources } = await loadForServe(options);
      const name = options.worker ?? loaded.config.workers[0]?.name;
      if (!name) throw new Error('the config defines no workers: add one under workers, or run `gatehouse master`');
      const [{ startMaster }, { startWorkerFromConfig }] = await Promise.all([import('../master/main.js'), import('../worker/main.js')]);
      const master = await startMaster(loaded, { logger });
      const local = master.url.replace(/^http:\/\/(0\.0\.0\.0|\[::\])/, 'http://127.0.0.1').replace(/^http/, 'ws');
      const worker = await startWorkerFromConfig(loaded.config, { name, master: local, logger: logger.child({ worker: name }) });
      console.error(startSummary({ config: loaded.config, address: master.url, secretSources }));
      exitOnSignals({
        // No new webhooks while the local worker winds down its builds (it still reports to the master).
        close: async () => {
          master.drain();
          await worker.close();
          await master.close();
        },
        timeoutMs: options.shutdownTimeout * 1000,
        logger,
      });
    } catch (error) {
      fail(error);
    }
  });

program
  .command('sign')
  .description('write a saved delivery (smee format) of a payload, signed with this CI\'s webhook secret')
  .requiredOption('--secret-env <var>', 'environment variable holding the webhook secret')
  .requiredOption('--event <event>', 'the X-GitHub-Event, e.g. pull_request')
  .option('--sha1-only', 'only the legacy X-Hub-Signature (sha1), like older saved deliveries')
  .argument('<payload>', 'the payload JSON file (or a saved delivery to re-sign)')
  .action(async (payloadFile: string, o: { secretEnv: string; event: string; sha1Only?: boolean }) => {
    const { signCommand } = await import('../master/deliveries/sign-command.js');
    process.exitCode = await signCommand({ secretEnv: o.secretEnv, event: o.event, sha1Only: o.sha1Only ?? false, payloadFile, env: process.env, stdout: process.stdout, stderr: process.stderr });
  });

program
  .command('send')
  .description('post a saved delivery exactly as saved, to a master or a smee channel, and print the answer')
  .argument('<url>', 'http://host:8010/change_hook/github or https://smee.io/<channel>')
  .argument('<file>', 'saved delivery (one JSON object per line)')
  .action(async (url: string, file: string) => {
    const { sendCommand } = await import('../master/deliveries/send-command.js');
    process.exitCode = await sendCommand({ url, file, stdout: process.stdout, stderr: process.stderr });
  });

program
  .command('smee')
  .description('run the smee.io forwarder alone, for a master on another host')
  .requiredOption('--url <url>', 'the smee channel, e.g. https://smee.io/AbC123')
  .requiredOption('--target <url>', 'the master\'s webhook URL, e.g. http://ci:8010/change_hook/github')
  .action(async (o: { url: string; target: string }) => {
    try {
      const { startSmeeForwarder } = await import('../master/smee/smee-forwarder.js');
      const logger = createLogger();
      const forwarder = startSmeeForwarder({ source: o.url, target: o.target, logger: logger.child({ part: 'smee' }) });
      exitOnSignals({ close: () => forwarder.close(), timeoutMs: 10_000, logger });
    } catch (error) {
      fail(error);
    }
  });

program
  .command('prune')
  .description('drop builds past logs.keepDays, then the oldest while over storage.keepBytes: local logs and artifacts, database rows, the logs branch (by age)')
  .requiredOption('-c, --config <file>', 'config file')
  .option('-d, --data-dir <dir>', 'data directory (overrides dataDir)')
  .option('-n, --dry-run', 'list what would go (build, size, why) and remove nothing')
  .action(async (options: { config: string; dataDir?: string; dryRun?: boolean }) => {
    try {
      const { runPruneCommand } = await import('../master/retention/prune-command.js');
      const { describePlan } = await import('../master/retention/describe-plan.js');
      const dryRun = options.dryRun === true;
      const result = await runPruneCommand(await loadConfig(options.config, { overrides: { dataDir: options.dataDir } }), { dryRun });
      if (!result) {
        console.log('neither logs.keepDays nor storage.keepBytes in the config: nothing expires');
        return;
      }
      for (const line of describePlan(result.plan, dryRun)) console.log(line);
      if (result.branchDropped && dryRun) for (const folder of result.branchDropped) console.log(`logs branch: ${folder} would go`);
      if (result.branchDropped) console.log(`${result.branchDropped.length} folder(s) ${dryRun ? 'would be dropped' : 'dropped'} from the logs branch`);
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
      console.log(`  ${config.github.repos.length > 1 ? 'repositories' : 'repository'}: ${config.github.repos.map((r) => r.repo).join(', ')}`);
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

program.addCommand(importEmberConfigCommand());
program.addCommand(imagesCommand());
program.addCommand(notifyCommand());
program.addCommand(buildsCommand());

await program.parseAsync(process.argv);

// `gatehouse builds list|show|log|rebuild|cancel|force`: the builds of a running master, through
// its REST API. Which master: --url, GATEHOUSE_URL, or --config; the admin token (for actions):
// GATEHOUSE_ADMIN_TOKEN (or --token-env VAR), or the config's http.adminToken variable.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import type { MasterApi } from './master-api.js';
import { resolveTarget, TARGET_ENV, type TargetOptions } from './master-target.js';
import { processOutput } from './output.js';
import { ConfigError } from '../../shared/config.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number above 0');
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number (may be negative)');
  return n;
}

function property(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('expected name=value');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** Run a subcommand against the master the options name; errors become a message and an exit code. */
async function run(command: Command, action: (api: MasterApi) => Promise<void>): Promise<never> {
  const target = command.optsWithGlobals<TargetOptions>();
  // Loaded here: the API client takes the master's schemas, which other commands (a worker) never need.
  const { createMasterApi, MasterApiError } = await import('./master-api.js');
  try {
    const api = createMasterApi(await resolveTarget(target, process.env));
    await action(api);
    process.exit(EXIT.ok);
  } catch (error) {
    const code = error instanceof MasterApiError ? error.exitCode : error instanceof ConfigError ? EXIT.usage : EXIT.failed;
    const message = error instanceof ConfigError ? `invalid config ${error.message}` : (error as Error).message;
    process.stderr.write(`gatehouse builds: ${message}${error instanceof MasterApiError && error.exitCode === EXIT.refused ? ` (set ${TARGET_ENV.token}, or --config with http.adminToken)` : ''}\n`);
    process.exit(code);
  }
}

export function buildsCommand(): Command {
  const out = processOutput();
  const builds = new Command('builds')
    .description("a running master's builds: list, show, log, rebuild, cancel, force")
    .option('--url <url>', `the master's URL (default: ${TARGET_ENV.url}, else from --config)`)
    .option('-c, --config <file>', "the master's config: its URL (http.publicUrl, else 127.0.0.1:http.port) and admin token")
    .option('--token-env <var>', `environment variable holding the admin token (default ${TARGET_ENV.token})`)
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError();
  // Usage mistakes exit 2 (commander's own default is 1, which means "the master failed" here).
  const usageExit = (cmd: Command) => cmd.exitOverride((error: CommanderError) => {
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });
  usageExit(builds);
  const json = new Option('--json', 'print the API answer as JSON, for scripts');

  usageExit(builds.command('list').description('the newest builds first'))
    .option('-b, --builder <name>', 'only this builder')
    .option('--state <state>', 'queued, running or finished')
    .option('--result <result>', 'success, failure, error, cancelled or skipped')
    .option('--pr <number>', 'only this pull request')
    .option('-n, --limit <count>', 'how many (default 20)', positiveInt, 20)
    .addOption(json)
    .action(async (o, cmd: Command) => run(cmd, async (api) => (await import('./list.js')).listBuilds(api, o, out)));

  usageExit(builds.command('show').description('one build and its steps'))
    .argument('<id>', 'build id', positiveInt)
    .addOption(json)
    .action(async (id: number, o, cmd: Command) => run(cmd, async (api) => (await import('./show.js')).showBuild(api, id, o, out)));

  usageExit(builds.command('log').description("a step's log, or every step's; --follow tails it live"))
    .argument('<id>', 'build id', positiveInt)
    .argument('[step]', 'step position (0, 1, 2.0…; see `show`); default: every step in order')
    .option('-f, --follow', 'keep printing as the build runs, until the step (or the build) ends')
    .action(async (id: number, step: string | undefined, o, cmd: Command) => run(cmd, async (api) => (await import('./log.js')).showLog(api, id, step, o, out)));

  usageExit(builds.command('rebuild').description('run a build of a builder again (admin)'))
    .argument('<builder>', 'builder name')
    .option('--build <id>', 'this build (default: the builder\'s newest with a commit)', positiveInt)
    .option('--pr <number>', "this pull request's newest build", positiveInt)
    .addOption(json)
    .action(async (builder: string, o, cmd: Command) => run(cmd, async (api) => (await import('./rebuild.js')).rebuild(api, builder, o, out)));

  usageExit(builds.command('cancel').description('cancel a queued or running build (admin)'))
    .argument('<id>', 'build id', positiveInt)
    .addOption(json)
    .action(async (id: number, o, cmd: Command) => run(cmd, async (api) => (await import('./cancel.js')).cancelBuild(api, id, o, out)));

  usageExit(builds.command('force').description('build a branch, tag, sha or pull request on a builder (admin)'))
    .argument('<builder>', 'builder name')
    .argument('<ref>', 'main, refs/tags/v1.0, a sha, or #12 for a pull request')
    .option('-p, --property <name=value>', 'a property the builder declares (repeatable)', property, {})
    .option('--by <name>', 'who asks, for the build\'s reason (default: $USER)', process.env.USER)
    .option('--priority <n>', "its place in the queue, higher first (default: the builder's priority)", integer)
    .addOption(json)
    .action(async (builder: string, ref: string, o, cmd: Command) => run(cmd, async (api) => (await import('./force.js')).forceBuild(api, builder, ref, o, out)));

  return builds;
}

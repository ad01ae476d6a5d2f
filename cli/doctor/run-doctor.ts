// `gatehouse doctor`: everything a real installation needs, checked in order, one line each. A
// config that does not load stops there: every later check needs it.
import { ConfigError, loadConfig, type LoadedConfig } from '../../shared/config.js';
import { detailsLinks } from '../../master/logs-branch/details-links.js';
import type { Config } from '../../shared/config.js';
import { ok, warn, fail, type CheckResult } from './doctor-check.js';
import { githubChecks } from './github-checks.js';
import { diskCheck, logsChecks, portCheck, smeeCheck, vmChecks } from './host-checks.js';

export interface DoctorOptions {
  configFile: string;
  env?: NodeJS.ProcessEnv;
  /** The KVM device to test (tests point it elsewhere). */
  kvmDevice?: string;
}

const isSecretProblem = (problem: string) => / environment variable \S+ is not set$/.test(problem);

export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(options.configFile, { env: options.env ?? process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) return [fail('config', (error as Error).message)];
    const secrets = error.problems.filter(isSecretProblem);
    const schema = error.problems.filter((p) => !isSecretProblem(p));
    return [
      schema.length ? fail('config', schema.join('; '), `fix ${error.source}; gatehouse check-config ${options.configFile} checks it alone`) : ok('config', `${error.source} is valid`),
      ...(secrets.length ? [fail('secrets', secrets.join('; '), 'set them in the environment this command and the services run with (setup-host.sh keeps them in /etc/gatehouse/secrets.env)')] : []),
    ];
  }
  const { config } = loaded;
  const results: CheckResult[] = [
    ok('config', `${loaded.file ?? options.configFile}: ${config.builders.length} builder(s), ${config.workers.length} worker(s)`),
    ok('secrets', 'every { env } reference is set'),
  ];
  results.push(...(await githubChecks(config)), statusLinkCheck(config));
  results.push(...(await logsChecks(config, loaded.secrets)));
  const smee = await smeeCheck(config);
  if (smee) results.push(smee);
  results.push(...(await vmChecks(config, { kvmDevice: options.kvmDevice })));
  results.push(diskCheck(config));
  results.push(await portCheck(config));
  return results;
}

/** Where a status's Details link will point (target-url.ts decides the same way). */
function statusLinkCheck(config: Config): CheckResult {
  const lines = detailsLinks(config);
  if (lines.some((l) => l.startsWith('none'))) return warn('status links', `statuses will carry no Details link: ${lines.join('; ')}`, 'set logs.webUrl, a GitHub logs.remote, or http.publicUrl');
  return ok('status links', `Details links open ${lines.join('; ')}`);
}

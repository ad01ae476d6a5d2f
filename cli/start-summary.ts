// What an operator needs to know when a master starts, in a few lines: where the UI is, where the
// admin token comes from, which secrets came from the environment and which from files, whether
// statuses are posted and with what Details link, and how webhooks arrive.
import { existsSync } from 'node:fs';
import type { Config } from '../shared/config.js';
import type { SecretSource } from './generated-secrets.js';
import { detailsLinks } from '../master/logs-branch/details-links.js';

export interface StartSummaryInput {
  config: Config;
  /** The address the master listens on (http://0.0.0.0:8010). */
  address: string;
  /** Where the quick start's secrets came from; absent for a config of one's own (all from the environment). */
  secretSources?: SecretSource[];
}

const local = (address: string) => address.replace(/^http:\/\/(0\.0\.0\.0|\[::\])/, 'http://127.0.0.1');

export function startSummary({ config, address, secretSources }: StartSummaryInput): string {
  const url = local(address);
  const lines = [`gatehouse: master ready for ${config.github.repos.map((r) => r.repo).join(', ')}`, `  UI and API     ${config.http.publicUrl ?? `${url}/`}${config.http.publicUrl ? ` (listening on ${address})` : ''}`];
  lines.push(`  webhooks       POST ${url}/change_hook/github${config.smee ? `, forwarded from ${config.smee.url}` : ' (GitHub must reach this port, or set smee.url)'}`);
  const admin = secretSources?.find((s) => s.name === 'GATEHOUSE_ADMIN_TOKEN');
  lines.push(`  admin token    ${!config.http.adminToken ? 'none: rebuild and cancel are refused (set http.adminToken)' : admin ? describeSource(admin) : 'from the environment (http.adminToken)'}`);
  if (secretSources) {
    for (const s of secretSources.filter((s) => s.name !== 'GATEHOUSE_ADMIN_TOKEN')) lines.push(`  ${s.name.replace(/^GATEHOUSE_/, '').toLowerCase().replaceAll('_', ' ').padEnd(14)} ${describeSource(s)}`);
  } else {
    lines.push('  secrets        from the environment');
  }
  const auth = config.github.app ? `as GitHub App ${config.github.app.appId}` : config.github.token ? 'with a token' : undefined;
  lines.push(`  statuses       ${auth ? `posted to ${config.github.apiUrl} ${auth}` : 'off: no github.token or github.app, so pull requests see nothing'}`);
  if (auth) for (const line of detailsLinks(config)) lines.push(`  details link   ${line}`);
  return lines.join('\n');
}

function describeSource(s: SecretSource): string {
  if (s.from === 'environment') {
    return `$${s.name} from the environment${existsSync(s.file) ? ` (it wins over ${s.file})` : ''}`;
  }
  return `${s.file}${s.generated ? ' (generated now)' : ''}; $${s.name} in the environment would win`;
}

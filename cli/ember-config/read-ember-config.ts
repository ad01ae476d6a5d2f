// An Ember-CSI third-party CI `config` file is KEY=VALUE lines that its setup script sources with
// bash, so quoting, comments and `$OTHER` references follow bash. Sourcing it with bash (in a clean
// environment, as the original did) is the only faithful reader.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** Print every variable the file set, NUL-separated, and nothing of the environment around it. */
const DUMP = [
  'declare -A seen; for v in $(compgen -v); do seen[$v]=1; done',
  // A syntax error makes `.` fail without stopping the script: stop it, or the file reads as empty.
  'set -a; . "$1" >/dev/null || exit 3; set +a',
  'for v in $(compgen -v); do [[ -n ${seen[$v]:-} || $v == v || $v == seen ]] && continue; printf "%s=%s\\0" "$v" "${!v}"; done',
].join('\n');

/** The variables an Ember-CSI `config` file defines, as bash sees them after sourcing it. */
export function readEmberConfig(file: string): Record<string, string> {
  const absolute = path.resolve(file);
  const result = spawnSync('bash', ['--noprofile', '--norc', '-c', DUMP, 'ember-config', absolute], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/nonexistent' },
    cwd: path.dirname(absolute),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.error) throw new Error(`cannot run bash to read ${file}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${file}: bash could not source it (exit ${result.status}): ${result.stderr.trim()}`);
  const vars: Record<string, string> = {};
  for (const entry of result.stdout.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) vars[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return vars;
}

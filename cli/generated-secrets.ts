// The quick start runs with no secrets set: generate them once, keep them in the data dir (0600)
// and export them for this process, so the config's { env } references resolve. A variable set in
// the environment wins over the file; where each one came from is returned, for the start summary.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SecretSource {
  name: string;
  /** environment: set by the caller (the file, if any, is not read); file: read from `file`, written now if `generated`. */
  from: 'environment' | 'file';
  file: string;
  generated: boolean;
}

export function ensureGeneratedSecrets(dataDir: string, names: string[], env: NodeJS.ProcessEnv): SecretSource[] {
  const dir = path.join(dataDir, 'secrets');
  return names.map((name) => {
    const file = path.join(dir, name);
    if (env[name]) return { name, from: 'environment', file, generated: false };
    const generated = !existsSync(file);
    if (generated) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
    }
    env[name] = readFileSync(file, 'utf8').trim();
    return { name, from: 'file', file, generated };
  });
}

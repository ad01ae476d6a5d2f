// The quick start runs with no secrets set: generate them once, keep them in the data dir (0600)
// and export them for this process, so the config's { env } references resolve.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function ensureGeneratedSecrets(dataDir: string, names: string[], env: NodeJS.ProcessEnv): string[] {
  const dir = path.join(dataDir, 'secrets');
  const generated: string[] = [];
  for (const name of names) {
    if (env[name]) continue;
    const file = path.join(dir, name);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
      generated.push(name);
    }
    env[name] = readFileSync(file, 'utf8').trim();
  }
  return generated;
}

// The quick start builds a tiny local repository (examples/quickstart/make-demo-repo.sh) so that
// its saved deliveries (test-ok, test-broken) have real commits to fetch, with no network.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/quickstart/make-demo-repo.sh');

export function ensureDemoRepo(dataDir: string): string {
  const repo = path.join(dataDir, 'demo-repo.git');
  if (!existsSync(repo)) execFileSync(SCRIPT, [repo], { stdio: ['ignore', 'ignore', 'inherit'] });
  return repo;
}

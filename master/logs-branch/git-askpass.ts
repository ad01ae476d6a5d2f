// How the token reaches git: GIT_ASKPASS names a small script, outside any repository, that answers
// git's username and password prompts; the password it prints comes from an environment variable
// set only on the git processes the master starts. So the token is never in a remote URL, an
// argument list (`ps`), .git/config, a credential store, a file on disk, or a log line. printf and
// echo are shell builtins: printing the token starts no process either.
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export const TOKEN_ENV = 'GATEHOUSE_GIT_TOKEN';

const SCRIPT = `#!/bin/sh
# Written by gatehouse: answers git's credential prompts for the logs repository. It holds no
# secret; the token comes from the environment of the git process that runs it.
case "$1" in
  Username*) echo "x-access-token" ;;
  *) printf '%s\\n' "$${TOKEN_ENV}" ;;
esac
`;

/** Write the helper (once) and return the environment a git call needs to authenticate with `token`. */
export function askpassEnv(dir: string, token: string | undefined): Record<string, string> {
  if (!token) return {};
  const file = path.join(dir, 'git-askpass.sh');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== SCRIPT) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, SCRIPT, { mode: 0o700 });
  }
  chmodSync(file, 0o700);
  return { GIT_ASKPASS: file, [TOKEN_ENV]: token };
}

/** Remotes that carry credentials in the URL are refused: the token must not sit in .git/config. */
export function checkRemote(remote: string): void {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(remote);
  if (m && m[1]?.includes(':')) {
    throw new Error('logs.remote carries a password in its URL; remove it: the master gives git the GitHub token (github.token) through an askpass helper');
  }
}

/** Only http(s) remotes get the token; ssh and local paths authenticate their own way. */
export const remoteWantsToken = (remote: string): boolean => /^https?:\/\//i.test(remote);

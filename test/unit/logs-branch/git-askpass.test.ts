import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { makeTempDir } from '../../support/temp-dir.js';
import { askpassEnv, checkRemote, remoteWantsToken, TOKEN_ENV } from '../../../master/logs-branch/git-askpass.js';

describe('askpass', () => {
  const dir = makeTempDir();
  afterAll(() => dir.remove());

  it('answers git\'s prompts from the environment; the script itself holds no secret', () => {
    const env = askpassEnv(dir.path, 'ghp_secret_value_123');
    expect(env[TOKEN_ENV]).toBe('ghp_secret_value_123');
    const script = env.GIT_ASKPASS as string;
    expect(readFileSync(script, 'utf8')).not.toContain('ghp_secret_value_123');
    expect(statSync(script).mode & 0o777).toBe(0o700);
    const ask = (prompt: string) => execFileSync(script, [prompt], { env: { [TOKEN_ENV]: 'ghp_secret_value_123' }, encoding: 'utf8' });
    expect(ask("Username for 'https://github.com': ")).toBe('x-access-token\n');
    expect(ask("Password for 'https://x-access-token@github.com': ")).toBe('ghp_secret_value_123\n');
  });

  it('no token, no askpass', () => {
    expect(askpassEnv(dir.path, undefined)).toEqual({});
  });

  it('refuses a remote with a password in it; only http(s) remotes get the token', () => {
    expect(() => checkRemote('https://x-access-token:ghp_abc@github.com/acme/logs.git')).toThrow(/password in its URL/);
    expect(() => checkRemote('https://github.com/acme/logs.git')).not.toThrow();
    expect(() => checkRemote('ssh://git@github.com/acme/logs.git')).not.toThrow();
    expect(() => checkRemote('git@github.com:acme/logs.git')).not.toThrow();
    expect([remoteWantsToken('https://github.com/a/b'), remoteWantsToken('git@github.com:a/b'), remoteWantsToken('/srv/logs.git')]).toEqual([true, false, false]);
  });
});

// What a snapshot's guest is changed to before the save (leanerSshCommand), run by a real shell
// against a stand-in root: the CI user's key goes in the file that sshd is pointed to (a drop-in
// that sorts before the image's own, as sshd keeps a keyword's first value), and Debian's pam_motd
// lines in sshd's PAM file are commented out while every other line stays as it was.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leanerSshCommand } from '../../../worker/executor/vm/snapshot/make-snapshot.js';
import { authorizedKeyLine, SNAPSHOT_KEYS_DIR } from '../../../worker/executor/vm/snapshot/restore-agent.js';

const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyBlob+/=';
// Debian bookworm's /etc/pam.d/sshd, in part.
const PAM = [
  '@include common-account',
  'session    optional     pam_motd.so  motd=/run/motd.dynamic',
  'session    optional     pam_motd.so noupdate',
  '@include common-session',
  'session    required     pam_limits.so',
  '',
].join('\n');

describe('the snapshot guest\'s leaner SSH logins', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** Run the command as the guest's root shell would, with its paths moved under a temp dir and sshd's reload left out. */
  function runInStandIn(command: string): string {
    const root = mkdtempSync(path.join(tmpdir(), 'gatehouse-lean-ssh-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'etc/ssh/sshd_config.d'), { recursive: true });
    mkdirSync(path.join(root, 'etc/pam.d'), { recursive: true });
    writeFileSync(path.join(root, 'etc/ssh/sshd_config.d/gatehouse.conf'), 'AuthorizedKeysFile none\n');
    writeFileSync(path.join(root, 'etc/pam.d/sshd'), PAM);
    expect(command).toMatch(/^sudo sh -c '/);
    expect(command).toContain('systemctl reload ssh.service');
    const moved = command
      .replace(/^sudo /, '')
      .replace(/systemctl reload ssh\.service/, 'true')
      .replace(/\/etc\//g, `${root}/etc/`)
      .replace(/\/run\/gatehouse/g, `${root}/run/gatehouse`);
    execFileSync('sh', ['-c', moved], { stdio: ['ignore', 'pipe', 'pipe'] });
    return root;
  }

  it('puts the key in the file sshd is pointed to, in a drop-in read first', () => {
    const root = runInStandIn(leanerSshCommand(KEY));
    const keyFile = path.join(root, SNAPSHOT_KEYS_DIR, 'ci');
    expect(readFileSync(keyFile, 'utf8')).toBe(`ssh-ed25519 ${KEY} gatehouse-build\n`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o644);
    expect(statSync(path.dirname(keyFile)).mode & 0o777).toBe(0o755);
    const dropIns = readdirSync(path.join(root, 'etc/ssh/sshd_config.d')).sort();
    expect(dropIns[0]).toBe('00-gatehouse-snapshot.conf');
    const conf = readFileSync(path.join(root, 'etc/ssh/sshd_config.d', dropIns[0] as string), 'utf8');
    expect(conf).toContain(`AuthorizedKeysFile ${root}${SNAPSHOT_KEYS_DIR}/%u\n`); // the stand-in's path
    expect(conf).toContain('AuthorizedKeysCommand none\n');
  });

  it('comments out pam_motd and nothing else', () => {
    const root = runInStandIn(leanerSshCommand(KEY));
    const pam = readFileSync(path.join(root, 'etc/pam.d/sshd'), 'utf8').split('\n');
    const before = PAM.split('\n');
    expect(pam).toHaveLength(before.length);
    for (const [i, line] of before.entries()) {
      if (line.includes('pam_motd')) expect(pam[i]).toBe(`# gatehouse snapshot: ${line}`);
      else expect(pam[i]).toBe(line);
    }
  });

  it('takes only a key blob', () => {
    expect(authorizedKeyLine(KEY)).toBe(`ssh-ed25519 ${KEY} gatehouse-build`);
    expect(() => leanerSshCommand("AAAA' x")).toThrow(/unexpected characters/);
    expect(() => authorizedKeyLine('AAAA\nssh-ed25519 BBBB')).toThrow(/unexpected characters/);
  });
});

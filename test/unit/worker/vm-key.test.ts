// Every key pair a VM gets can be used: ssh2 parses its private half (the worker's SSH client) and
// its public blob (what the guest's sshd is given). ssh2 1.17 makes 1 unusable pair in 256; 3,000
// pairs would include one ~12 times over if generateVmKey let it through.
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { generateVmKey } from '../../../worker/executor/vm/ssh-key.js';

describe('a VM\'s SSH key', () => {
  it('always parses, both halves, over 3,000 pairs', () => {
    const unusable: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const key = generateVmKey();
      const parsedPrivate = ssh2.utils.parseKey(key.privateKey);
      const parsedPublic = ssh2.utils.parseKey(`ssh-ed25519 ${key.publicBlob}`);
      if (parsedPrivate instanceof Error || parsedPublic instanceof Error) unusable.push(key.publicBlob);
      else expect(parsedPrivate.getPublicSSH().equals(parsedPublic.getPublicSSH())).toBe(true);
    }
    expect(unusable).toEqual([]);
  });

  it('is a fresh pair each time', () => {
    expect(generateVmKey().publicBlob).not.toBe(generateVmKey().publicBlob);
  });
});

// One SSH key pair per VM, made in memory and never written to disk: the public half goes to the
// guest on the kernel command line (the image's initramfs writes it where sshd reads it), the
// private half lives only as long as the executor's handle on the VM.
import ssh2 from 'ssh2';

export interface VmKey {
  /** OpenSSH private key, for ssh2. */
  privateKey: string;
  /** The base64 blob of the ssh-ed25519 public key (what `gatehouse.key=` carries). */
  publicBlob: string;
}

/** Enough that a pair which does not parse is a bug, not bad luck (1 in 256 per try, see below). */
const MAX_TRIES = 8;

export function generateVmKey(): VmKey {
  // ssh2 (1.17) drops a public key's leading zero bytes when it encodes a pair, so 1 pair in 256
  // parses neither as a private nor as a public key (mscdex/ssh2#1390): such a VM never let its
  // build in. A pair is used only once both halves parse; a fresh one is as good as any other.
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    const blob = pair.public.split(' ')[1];
    if (!blob) throw new Error('ssh2 returned a public key without a blob');
    if (parses(pair.private) && parses(pair.public)) return { privateKey: pair.private, publicBlob: blob };
  }
  throw new Error(`ssh2 made ${MAX_TRIES} ed25519 key pairs in a row that it cannot parse itself`);
}

function parses(key: string): boolean {
  return !(ssh2.utils.parseKey(key) instanceof Error);
}

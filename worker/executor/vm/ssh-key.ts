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

export function generateVmKey(): VmKey {
  const pair = ssh2.utils.generateKeyPairSync('ed25519');
  const blob = pair.public.split(' ')[1];
  if (!blob) throw new Error('ssh2 returned a public key without a blob');
  return { privateKey: pair.private, publicBlob: blob };
}

// Libvirt through the `virsh` command: the stand-in when the native binding is not there. Each call
// is one process (≈20 ms more than the binding); the XML goes through a private temp file.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isGoneError, type Libvirt } from './libvirt.js';

/** One `virsh` command against `uri`: its stdout, or an error with libvirt's words. */
export function runVirsh(uri: string, args: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    execFile('virsh', ['-q', '-c', uri, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`virsh ${args[0]}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** `virsh create` of a transient domain from `xml` (through a private temp file), with extra flags such as --paused. */
export async function virshCreate(uri: string, xml: string, flags: string[] = []): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-virsh-'));
  try {
    await writeFile(path.join(dir, 'domain.xml'), xml, { mode: 0o600 });
    await runVirsh(uri, ['create', path.join(dir, 'domain.xml'), ...flags]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function connectVirsh(uri: string): Promise<Libvirt> {
  const virsh = (args: string[]) => runVirsh(uri, args);
  await virsh(['uri']); // fails now, with libvirt's reason, when libvirtd is not reachable
  return {
    kind: 'virsh',
    uri,
    async createTransient(xml, options) {
      await virshCreate(uri, xml, options?.paused ? ['--paused'] : []);
    },
    async resume(name) {
      await virsh(['resume', name]);
    },
    async destroy(name) {
      try {
        await virsh(['destroy', name]);
      } catch (error) {
        if (!isGoneError((error as Error).message)) throw error;
      }
    },
    async listRunning() {
      return (await virsh(['list', '--name'])).split('\n').map((l) => l.trim()).filter((l) => l !== '');
    },
    async close() {},
  };
}

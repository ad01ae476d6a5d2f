// After a crash (a SIGKILL, a power cut) a worker's VMs outlive it. At start the worker destroys the
// running domains named with its own prefix, and deletes every overlay, console log and restore
// agent socket in its own VM directory. The name grammar after the prefix is fixed (b<build>-<try>,
// p<n>, v<n> for a VM that verifies a new image version, s<n> for one that makes a memory snapshot),
// so the sweep of worker "w1" never matches the domains of a worker "w1-b5".
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Libvirt } from './libvirt.js';
import { AGENT_SOCKET_SUFFIX } from './snapshot/restore-agent.js';

export function domainPrefix(worker: string): string {
  return `gatehouse-${worker}-`;
}

export function buildDomainName(worker: string, buildId: number, attempt: number): string {
  return `${domainPrefix(worker)}b${buildId}-${attempt}`;
}

export function poolDomainName(worker: string, n: number): string {
  return `${domainPrefix(worker)}p${n}`;
}

export function verifyDomainName(worker: string, n: number): string {
  return `${domainPrefix(worker)}v${n}`;
}

/** The domain that boots an image once to save its memory snapshot. */
export function snapshotDomainName(worker: string, n: number): string {
  return `${domainPrefix(worker)}s${n}`;
}

export function isOwnDomain(worker: string, name: string): boolean {
  const prefix = domainPrefix(worker);
  return name.startsWith(prefix) && /^(b\d+-\d+|p\d+|v\d+|s\d+)$/.test(name.slice(prefix.length));
}

export interface Sweep {
  domains: string[];
  files: string[];
}

export async function removeLeftovers(libvirt: Libvirt, worker: string, dir: string): Promise<Sweep> {
  const domains = (await libvirt.listRunning()).filter((name) => isOwnDomain(worker, name));
  for (const name of domains) await libvirt.destroy(name);
  let files: string[] = [];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.qcow2') || f.endsWith('.console.log') || f.endsWith(AGENT_SOCKET_SUFFIX));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const file of files) await rm(path.join(dir, file), { force: true });
  return { domains, files };
}

// Files into and out of the VM: the build's source as a tar stream over one SSH channel (the guest
// needs no network and no git), step uploads and step scripts over SFTP, and collected files
// (JUnit reports, artifacts) back over SFTP. Only regular files inside the work directory are
// collected: `find -type f` does not follow symlinks, so a planted link carries nothing out.
import { spawn } from 'node:child_process';
import path from 'node:path';
import picomatch from 'picomatch';
import type { UploadFile } from '../../../shared/protocol.js';
import type { CollectedFile, StepFile } from '../executor.js';
import { GUEST_WORKDIR } from './guest-paths.js';
import { shellQuote } from './remote-step.js';
import type { SshSession } from './ssh-session.js';

/** Stream `dir` as a tarball into the guest's work directory. */
export async function uploadTree(session: SshSession, dir: string): Promise<void> {
  let tarErr = '';
  let tarDone: Promise<number | null> = Promise.resolve(null);
  const startTar = () => {
    const tar = spawn('tar', ['-C', dir, '--numeric-owner', '--owner=1000', '--group=1000', '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    tar.stderr.on('data', (c: Buffer) => void (tarErr += c.toString()));
    tarDone = new Promise((resolve, reject) => {
      tar.once('error', reject);
      tar.once('close', resolve);
    });
    return tar.stdout;
  };
  let remoteErr = '';
  const result = await session.exec(`tar -C ${GUEST_WORKDIR} -xf -`, { stdin: startTar, onStderr: (t) => void (remoteErr += t) });
  const code = await tarDone;
  if (code !== 0) throw new Error(`tar of the checkout failed (${code}): ${tarErr.trim()}`);
  if (result.code !== 0) throw new Error(`unpacking the source in the VM failed (${result.code ?? result.signal}): ${remoteErr.trim().slice(-500)}`);
}

/** Normalize a path relative to the work directory; undefined when it would leave it. */
export function guestPath(rel: string): string | undefined {
  if (rel === '' || rel.startsWith('/')) return undefined;
  const normal = path.posix.normalize(rel);
  if (normal === '.' || normal.startsWith('../') || normal === '..') return undefined;
  return `${GUEST_WORKDIR}/${normal}`;
}

export async function writeUploads(session: SshSession, uploads: UploadFile[]): Promise<void> {
  const targets = await makeParents(session, uploads.map((u) => u.path), 'upload');
  for (const [i, upload] of uploads.entries()) await session.writeFile(targets[i] as string, Buffer.from(upload.content, 'base64'), upload.mode);
}

/** Files streamed in (another build's artifacts), each straight from its source to SFTP. */
export async function writeStreamedFiles(session: SshSession, files: StepFile[]): Promise<void> {
  const targets = await makeParents(session, files.map((f) => f.path), 'file');
  for (const [i, file] of files.entries()) await session.writeStream(targets[i] as string, () => file.open(), file.mode);
}

/** The guest paths of files about to be written, their directories made (one command for all). */
async function makeParents(session: SshSession, paths: string[], what: string): Promise<string[]> {
  const targets = paths.map((rel) => {
    const target = guestPath(rel);
    if (!target) throw new Error(`${what} path "${rel}" is not inside the work directory`);
    return target;
  });
  const dirs = [...new Set(targets.map((t) => path.posix.dirname(t)))];
  await session.run(`mkdir -p ${dirs.map(shellQuote).join(' ')}`);
  return targets;
}

export async function collectFiles(session: SshSession, globs: string[], maxBytes: number): Promise<CollectedFile[]> {
  if (globs.length === 0) return [];
  const listing = await session.run(`cd ${GUEST_WORKDIR} && find . -type f -printf '%s %m %P\\0'`);
  const isMatch = picomatch(globs, { dot: true });
  const files: CollectedFile[] = [];
  const entries = listing
    .split('\0')
    .filter((e) => e !== '')
    .map((e) => {
      const [size = '', mode = '', ...rel] = e.split(' ');
      return { size: Number(size), mode: parseInt(mode, 8) & 0o777, rel: rel.join(' ') };
    })
    .filter((e) => isMatch(e.rel))
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (const { size, mode, rel } of entries) {
    const file = `${GUEST_WORKDIR}/${rel}`;
    files.push(size > maxBytes ? { path: rel, size, mode, open: () => session.readStream(file) } : { path: rel, size, mode, content: await session.readFile(file) });
  }
  return files;
}

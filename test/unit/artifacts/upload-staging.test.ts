// The master's staging of large artifacts, on a real directory: what is received is what is kept
// (sha256 and size), an oversized or mismatched upload leaves nothing, a link needs a real upload
// of the same build, and the sweep removes only what no message can claim.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUploadStaging, UploadMismatchError, UploadTooLargeError, type UploadStaging } from '../../../master/artifacts/upload-staging.js';
import { makeTempDir } from '../../support/temp-dir.js';

/** A body that arrives in pieces, as a socket's would. */
const body = (bytes: Buffer, piece = 64 * 1024) => Readable.from((function* () {
  for (let i = 0; i < bytes.length; i += piece) yield bytes.subarray(i, i + piece);
})());

describe('upload staging', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let staging: UploadStaging;
  let stagingDir: string;
  beforeEach(() => {
    dir = makeTempDir();
    stagingDir = path.join(dir.path, 'artifacts', '.uploads');
    staging = createUploadStaging(stagingDir);
  });
  afterEach(() => dir.remove());

  it('keeps the bytes it received under a new id, with their sha256 and size', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const stored = await staging.receive(body(bytes), { buildId: 7, maxBytes: 4 * 1024 * 1024, expected: () => ({ size: bytes.length, sha256 }) });
    expect(stored).toEqual({ id: expect.stringMatching(/^7-[0-9a-f-]{36}$/), sha256, size: bytes.length });
    expect(readFileSync(path.join(stagingDir, stored.id)).equals(bytes)).toBe(true);
    expect(statSync(path.join(stagingDir, stored.id)).mode & 0o777).toBe(0o600);
    const again = await staging.receive(body(bytes), { buildId: 7, maxBytes: 4 * 1024 * 1024, expected: () => ({}) });
    expect(again.id).not.toBe(stored.id); // two uploads of one content are two uploads
  });

  it('refuses an upload past the limit, or not what the worker announced, and keeps nothing of it', async () => {
    const any = () => ({});
    await expect(staging.receive(body(randomBytes(1000)), { buildId: 1, maxBytes: 999, expected: any })).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(readdirSync(stagingDir)).toEqual([]);
    await expect(staging.receive(body(randomBytes(10)), { buildId: 1, maxBytes: 999, expected: () => ({ size: 11 }) })).rejects.toThrow(new UploadMismatchError('10 bytes arrived, 11 were announced'));
    await expect(staging.receive(body(randomBytes(10)), { buildId: 1, maxBytes: 999, expected: () => ({ sha256: '0'.repeat(64) }) })).rejects.toBeInstanceOf(UploadMismatchError);
    expect(readdirSync(stagingDir)).toEqual([]);
    expect((await staging.receive(body(randomBytes(999)), { buildId: 1, maxBytes: 999, expected: any })).size).toBe(999);
  });

  it('links an upload into place, replacing what was there; an unknown, malformed or other build\'s id links nothing', async () => {
    const stored = await staging.receive(body(Buffer.from('package v2\n')), { buildId: 7, maxBytes: 100, expected: () => ({}) });
    const target = path.join(dir.path, 'artifacts', '7', 'out', 'pkg.deb');
    expect(staging.linkTo(stored.id, 8, path.join(dir.path, 'artifacts', '8', 'pkg.deb'))).toBe(false);
    expect(existsSync(path.join(dir.path, 'artifacts', '8'))).toBe(false);
    expect(staging.linkTo(stored.id, 7, target)).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('package v2\n');
    staging.remove(stored.id);
    expect(readFileSync(target, 'utf8')).toBe('package v2\n'); // the artifact's own link stays
    expect(staging.linkTo(stored.id, 7, target)).toBe(false);
    expect(() => staging.linkTo('../../etc/passwd', 7, target)).toThrow('bad upload id');
  });

  it('sweeps the uploads of builds that are not running, and partial uploads a day old; nothing else', async () => {
    const none = () => ({});
    const ended = await staging.receive(body(Buffer.from('old')), { buildId: 3, maxBytes: 100, expected: none });
    const running = await staging.receive(body(Buffer.from('fresh')), { buildId: 4, maxBytes: 100, expected: none });
    const oldPartial = path.join(stagingDir, '4-0b7e1b6e-1111-4c4c-9c9c-000000000000.part');
    const newPartial = path.join(stagingDir, '4-0b7e1b6e-1111-4c4c-9c9c-000000000001.part');
    writeFileSync(oldPartial, 'torn');
    writeFileSync(newPartial, 'arriving');
    writeFileSync(path.join(stagingDir, 'stray'), 'x');
    const now = Date.now();
    const dayAgo = new Date(now - 86_400_000 - 1000);
    utimesSync(oldPartial, dayAgo, dayAgo);
    expect(staging.sweep((id) => id === 4, now)).toBe(3);
    expect(readdirSync(stagingDir).sort()).toEqual([running.id, path.basename(newPartial)].sort());
    expect(existsSync(path.join(stagingDir, ended.id))).toBe(false);
    expect(createUploadStaging(path.join(dir.path, 'none')).sweep(() => false, now)).toBe(0);
  });
});

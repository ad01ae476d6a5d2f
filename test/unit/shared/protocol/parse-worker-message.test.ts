// Worker messages are checked at the edge; image reports are optional information, so a malformed
// one is dropped rather than the message that carries it.
import { describe, expect, it } from 'vitest';
import { parseWorkerMessage } from '../../../../shared/protocol.js';

const hello = { type: 'hello', protocol: 1, name: 'w1', instanceId: 'i-1', version: '0.1.0', arch: ['x86_64'], slots: 1, labels: [], images: ['debian'], running: [] };

describe('parseWorkerMessage', () => {
  it('keeps a well-formed image report', () => {
    const report = [{ image: 'debian', current: 'debian-20261126', versions: [{ name: 'debian-20261126', state: 'current', builtAt: '2026-11-26T10:00:00Z' }] }];
    expect(parseWorkerMessage(JSON.stringify({ ...hello, imageVersions: report }))).toMatchObject({ type: 'hello', imageVersions: report });
  });

  it('drops a malformed image report, not the hello or build.finished carrying it', () => {
    const bad = [{ image: 'debian', versions: [{ name: 'x', state: 'half-built' }] }];
    const parsed = parseWorkerMessage(JSON.stringify({ ...hello, imageVersions: bad }));
    expect(parsed).toMatchObject({ type: 'hello', name: 'w1' });
    expect(parsed).not.toHaveProperty('imageVersions', bad);
    const finished = parseWorkerMessage(JSON.stringify({ type: 'build.finished', seq: 7, buildId: 3, result: 'success', image: { image: 'debian', at: 'yesterday' } }));
    expect(finished).toMatchObject({ type: 'build.finished', seq: 7, result: 'success' });
    expect((finished as { image?: unknown }).image).toBeUndefined();
  });

  it('still refuses what the master acts on: a bad result, a missing seq', () => {
    expect(() => parseWorkerMessage(JSON.stringify({ type: 'build.finished', seq: 7, buildId: 3, result: 'fine' }))).toThrow();
    expect(() => parseWorkerMessage(JSON.stringify({ type: 'log', buildId: 3, step: '0', stream: 'stdout', data: 'x' }))).toThrow();
    expect(() => parseWorkerMessage('not json')).toThrow('worker message is not JSON');
  });
  it('takes an artifact with its content or an upload (not both, not neither), and a file mode', () => {
    const artifact = { type: 'artifact', seq: 4, buildId: 3, step: '0', kind: 'file', path: 'out/dockerd' };
    const upload = { id: `3-${'0b7e1b6e-1111-4c4c-9c9c-000000000000'}`, sha256: 'a'.repeat(64), size: 5 };
    expect(parseWorkerMessage(JSON.stringify({ ...artifact, content: 'aGVsbG8=', mode: 0o755 }))).toMatchObject({ content: 'aGVsbG8=', mode: 0o755 });
    expect(parseWorkerMessage(JSON.stringify({ ...artifact, upload }))).toMatchObject({ upload });
    expect(() => parseWorkerMessage(JSON.stringify({ ...artifact, content: 'aGVsbG8=', upload }))).toThrow('an artifact has either content or upload, not both');
    expect(() => parseWorkerMessage(JSON.stringify(artifact))).toThrow('an artifact has either content or upload');
    expect(() => parseWorkerMessage(JSON.stringify({ ...artifact, upload: { ...upload, id: '../../etc/passwd' } }))).toThrow('upload.id');
    expect(() => parseWorkerMessage(JSON.stringify({ ...artifact, content: '', mode: 0o10000 }))).toThrow('mode');
  });
});

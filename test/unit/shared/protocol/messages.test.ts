// One schema per protocol message (shared/protocol/): each accepts its well-formed message, refuses
// a malformed one, survives a JSON round trip unchanged, and tolerates fields it does not know.
import { describe, expect, it } from 'vitest';
import { type MasterMessage, parseMasterMessage, parseWorkerMessage, type WorkerMessage } from '../../../../shared/protocol.js';

const step = { id: '0', name: 'test', run: 'make test', env: { CI: '1' }, haltOnFailure: true, always: false, junit: ['out/*.xml'], artifacts: [] };
const build = {
  buildId: 3, builder: 'linux', number: 1, executor: 'vm', vm: { image: 'debian', memoryMiB: 2048, cpus: 2, network: false }, repo: 'acme/widgets', pr: 7, sha: 'a'.repeat(40),
  source: { cloneUrl: 'https://github.com/acme/widgets.git', ref: 'refs/pull/7/head', sha: 'a'.repeat(40) }, timeoutMs: 60_000, env: { GATEHOUSE_PR: '7' }, secrets: ['s3cret'],
  steps: [step, { ...step, id: '1', run: undefined, parallel: [{ ...step, id: '1.0' }], maxParallel: 1, upload: [{ path: 'x.sh', content: 'ZWNobw==', mode: 0o755 }] }],
};

// Each message, as its sender writes it, and one change that makes it unacceptable.
const workerMessages: Array<[WorkerMessage, Record<string, unknown>]> = [
  [{ type: 'hello', protocol: 1, name: 'w1', instanceId: 'i-1', version: '0.1.0', arch: ['x86_64'], slots: 2, labels: ['kvm'], images: ['debian'], running: [4],
    imageVersions: [{ image: 'debian', current: 'debian-1', versions: [{ name: 'debian-1', state: 'current', builtAt: '2026-11-26T10:00:00Z' }] }] }, { slots: 0 }],
  [{ type: 'images', imageVersions: [{ image: 'debian', versions: [] }] }, { type: 'pictures' }],
  [{ type: 'step.started', seq: 1, buildId: 3, step: '2.1', name: 'unit', at: 1700000000000 }, { step: '../2' }],
  [{ type: 'log', seq: 2, buildId: 3, step: '0', stream: 'stderr', data: 'oops\n' }, { stream: 'stdin' }],
  [{ type: 'step.finished', seq: 3, buildId: 3, step: '0', result: 'failure', exitCode: 2, durationMs: 120, reason: 'exit code 2' }, { exitCode: 1.5 }],
  [{ type: 'artifact', seq: 4, buildId: 3, step: '0', kind: 'junit', path: 'out/report.xml', content: 'PHRlc3RzLz4=' }, { path: '' }],
  [{ type: 'build.finished', seq: 5, buildId: 3, result: 'success', image: { image: 'debian', version: 'debian-1', at: 1700000000000 } }, { seq: 0 }],
];

const masterMessages: Array<[MasterMessage, Record<string, unknown>]> = [
  [{ type: 'welcome', protocol: 1, ackedSeq: 4, cancel: [9], features: ['images', 'uploads'] }, { ackedSeq: 'four' }],
  [{ type: 'refused', reason: 'protocol 2 here; upgrade the worker' }, { reason: 2 }],
  [{ type: 'build.start', build: build as Extract<MasterMessage, { type: 'build.start' }>['build'] }, { build: { ...build, executor: 'docker' } }],
  [{ type: 'build.cancel', buildId: 3, reason: 'cancelled by alice' }, { buildId: '3' }],
  [{ type: 'ack', seq: 5 }, { seq: null }],
];

describe('worker → master messages', () => {
  it.each(workerMessages)('$type: round-trips, tolerates an unknown field, refuses a malformed one', (message, breakage) => {
    expect(parseWorkerMessage(JSON.stringify(message))).toEqual(message);
    expect(parseWorkerMessage(JSON.stringify({ ...message, addedLater: { by: 'a newer worker' } }))).toEqual(message);
    expect(() => parseWorkerMessage(JSON.stringify({ ...message, ...breakage }))).toThrow('bad worker message: ');
  });

  it('refuses a message type it does not know (the worker sends only what welcome.features lists)', () => {
    expect(() => parseWorkerMessage('{"type":"step.paused","seq":1}')).toThrow('bad worker message');
  });
});

describe('master → worker messages', () => {
  it.each(masterMessages)('$type: round-trips, tolerates an unknown field, refuses a malformed one', (message, breakage) => {
    expect(parseMasterMessage(JSON.stringify(message))).toEqual(JSON.parse(JSON.stringify(message)));
    expect(parseMasterMessage(JSON.stringify({ ...message, addedLater: true }))).toEqual(JSON.parse(JSON.stringify(message)));
    expect(() => parseMasterMessage(JSON.stringify({ ...message, ...breakage }))).toThrow(`${message.type}: `);
  });

  it('reads the build a newer master describes with fields this worker does not know, without them', () => {
    const newer = { ...build, priority: 'high', steps: [{ ...step, cache: ['node_modules'] }] };
    const parsed = parseMasterMessage(JSON.stringify({ type: 'build.start', build: newer }));
    expect(parsed).toEqual({ type: 'build.start', build: { ...build, steps: [step] } });
  });

  it('fills what an older master leaves out: no cancel list, no cancel reason, features it cannot read', () => {
    expect(parseMasterMessage('{"type":"welcome","protocol":1,"ackedSeq":0,"features":["images",7]}')).toEqual({ type: 'welcome', protocol: 1, ackedSeq: 0, cancel: [], features: ['images'] });
    expect(parseMasterMessage('{"type":"build.cancel","buildId":4,"reason":null}')).toEqual({ type: 'build.cancel', buildId: 4, reason: '' });
  });
});

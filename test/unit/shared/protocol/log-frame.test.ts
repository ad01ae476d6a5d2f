// Log chunks as binary frames: the bytes arrive as they were sent, the header is checked like the
// JSON `log` message, and a master that takes no frames gets the same chunk as JSON.
import { describe, expect, it } from 'vitest';
import { decodeLogFrame, encodeLogFrame, type LogFrame, logFrameAsJson, parseWorkerMessage, parseWorkerWire } from '../../../../shared/protocol.js';

const chunk: LogFrame = { type: 'log', seq: 7, buildId: 3, step: '2.1', stream: 'stderr', data: Buffer.from([0x6f, 0x6b, 0x0a, 0xff, 0x00]) };

describe('log frames', () => {
  it('round-trip a chunk, bytes that are not UTF-8 included', () => {
    const decoded = decodeLogFrame(encodeLogFrame(chunk));
    expect(decoded).toEqual(chunk);
    expect(Buffer.compare(decoded.data, chunk.data)).toBe(0);
  });

  it('refuse a frame with a malformed header, a header that says the wrong message, or no header', () => {
    const frame = encodeLogFrame({ ...chunk, step: '../1' });
    expect(() => decodeLogFrame(frame)).toThrow('bad log frame: step');
    const notJson = Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from('{x')]);
    expect(() => decodeLogFrame(notJson)).toThrow('not JSON');
    const header = Buffer.from(JSON.stringify({ type: 'step.started', seq: 1, buildId: 3, step: '0', stream: 'stdout' }));
    const wrongType = Buffer.concat([Buffer.from([0, 0, 0, header.length]), header]);
    expect(() => decodeLogFrame(wrongType)).toThrow('bad log frame: type');
    expect(() => decodeLogFrame(Buffer.from([0, 0, 1]))).toThrow('shorter than its header');
    expect(() => decodeLogFrame(Buffer.from([0, 0, 0, 200, 0x7b]))).toThrow('shorter than its header');
  });

  it('become the JSON `log` message for a master without the feature', () => {
    const text = { ...chunk, data: Buffer.from('héllo\n') };
    expect(parseWorkerMessage(logFrameAsJson(encodeLogFrame(text)))).toEqual({ ...text, data: 'héllo\n' });
  });

  it('reach the master as bytes whether framed or sent as JSON by an older worker', () => {
    const text = { ...chunk, data: Buffer.from('héllo\n') };
    expect(parseWorkerWire(encodeLogFrame(text), true)).toEqual(text);
    expect(parseWorkerWire(Buffer.from(logFrameAsJson(encodeLogFrame(text))), false)).toEqual(text);
    const started = { type: 'step.started', seq: 1, buildId: 3, step: '0', name: 'unit', at: 5 };
    expect(parseWorkerWire(Buffer.from(JSON.stringify(started)), false)).toEqual(started);
  });
});

import { describe, expect, it } from 'vitest';
import { parseMasterMessage } from '../../../../shared/protocol.js';

describe('parseMasterMessage', () => {
  it('accepts the master messages and ignores unknown types', () => {
    expect(parseMasterMessage('{"type":"welcome","protocol":1,"ackedSeq":3}')).toEqual({ type: 'welcome', protocol: 1, ackedSeq: 3, cancel: [] });
    expect(parseMasterMessage('{"type":"ack","seq":9}')).toEqual({ type: 'ack', seq: 9 });
    expect(parseMasterMessage('{"type":"build.cancel","buildId":4}')).toEqual({ type: 'build.cancel', buildId: 4, reason: '' });
    expect(parseMasterMessage('{"type":"something.new"}')).toBeUndefined();
  });

  it('says what is missing from a malformed one', () => {
    expect(() => parseMasterMessage('[]')).toThrow('expected an object with a "type"');
    expect(() => parseMasterMessage('{"type":"ack","seq":"9"}')).toThrow('ack: seq: Invalid input: expected number');
    expect(() => parseMasterMessage('{"type":"build.start","build":{"buildId":1,"steps":[],"env":{},"secrets":[],"timeoutMs":0,"executor":"host"}}')).toThrow(
      'build.timeoutMs: Too small',
    );
  });
});

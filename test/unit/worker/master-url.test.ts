import { describe, expect, it } from 'vitest';
import { workerUrl } from '../../../worker/connection.js';
import { masterUrlFromConfig } from '../../../worker/main.js';

describe('master URLs', () => {
  it('puts the worker path under the master URL', () => {
    expect(workerUrl('ws://ci.example.com:8010')).toBe('ws://ci.example.com:8010/api/worker');
    expect(workerUrl('http://127.0.0.1:8010/')).toBe('ws://127.0.0.1:8010/api/worker');
    expect(workerUrl('https://ci.example.com/gatehouse')).toBe('wss://ci.example.com/gatehouse/api/worker');
    expect(workerUrl('ws://h:1/api/worker')).toBe('ws://h:1/api/worker');
  });

  it('defaults to the public URL, else the local port', () => {
    expect(masterUrlFromConfig({ http: { port: 8010, host: '0.0.0.0' } })).toBe('ws://127.0.0.1:8010');
    expect(masterUrlFromConfig({ http: { port: 9000, host: '::1' } })).toBe('ws://[::1]:9000');
    expect(masterUrlFromConfig({ http: { port: 8010, host: '0.0.0.0', publicUrl: 'http://ci.example.com:8010' } })).toBe('http://ci.example.com:8010');
  });
});

// Waiting for a booting VM's sshd: the console watcher that sees systemd's "Started ssh.service",
// and waitForSsh dropping an attempt that hangs (a SYN slirp sent before the guest had an address)
// as soon as that line is seen, instead of waiting out the attempt's own timeout.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { whenConsoleShows } from '../../../worker/executor/vm/console-log.js';
import { generateVmKey } from '../../../worker/executor/vm/ssh-key.js';
import { waitForSsh } from '../../../worker/executor/vm/ssh-session.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('whenConsoleShows', () => {
  it('resolves once a whole line matches, with colour codes and a line split across writes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-console-'));
    const stop = new AbortController();
    cleanups.push(() => stop.abort(), () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'console.log');
    let seen = false;
    const shown = whenConsoleShows(file, /Started ssh\.service/, stop.signal).then(() => (seen = true));
    writeFileSync(file, '[  OK  ] Started systemd-journald.service\n         Starting \x1b[0;1;39mssh.service\x1b[0m...\n[\x1b[0;32m  OK  \x1b[0m] Started \x1b[0;1;39mss');
    // The watcher has read that far (its next read sees the rest) without a match.
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toBe(false);
    appendFileSync(file, 'h.service\x1b[0m - OpenBSD Secure Shell server.\n');
    await shown;
    expect(seen).toBe(true);
  });
});

describe('waitForSsh with retryNow', () => {
  it('drops an attempt that got no answer when told sshd started, and logs in on a new one', async () => {
    const hostKey = ssh2.utils.generateKeyPairSync('ed25519');
    const client = generateVmKey();
    const sshd = new ssh2.Server({ hostKeys: [hostKey.private] }, (conn) => {
      conn.on('authentication', (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])));
      conn.on('error', () => {});
    });
    // The first connection is held silent, like slirp's forward before the guest has an address;
    // later ones reach the SSH server.
    const held: net.Socket[] = [];
    const front = net.createServer((socket) => {
      socket.on('error', () => {});
      if (held.length === 0) held.push(socket);
      else sshd.injectSocket(socket);
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => front.close(() => r())), () => held.forEach((s) => s.destroy()));
    const port = (front.address() as net.AddressInfo).port;
    let sshdStarted = () => {};
    const retryNow = new Promise<void>((r) => (sshdStarted = r));
    const started = Date.now();
    const waiting = waitForSsh({ port, username: 'ci', privateKey: client.privateKey }, { deadline: Date.now() + 30_000, signal: new AbortController().signal, retryNow });
    while (held.length === 0) await new Promise((r) => setTimeout(r, 20));
    sshdStarted();
    const session = await waiting;
    cleanups.push(() => session.close());
    expect(session.alive).toBe(true);
    // Without retryNow the held attempt would have run to its own timeout (8 s).
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

// A real IRC server for the IRC tests: Debian's ngircd, started in the foreground with its own
// config on a free 127.0.0.1 port, and stopped by the test. Tests that need it ask
// ngircdAvailable() first (skips outside CI without it, fails in CI; .ci/run installs it).
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { requirePrerequisite } from './require-prerequisite.js';
import { makeTempDir } from './temp-dir.js';
import { childStopper } from './child-stopper.js';

export const NGIRCD = '/usr/sbin/ngircd';

export function ngircdAvailable(): boolean {
  return requirePrerequisite('IRC tests', existsSync(NGIRCD) ? undefined : `no ngircd at ${NGIRCD} (install Debian's ngircd package; .ci/run does)`);
}

export interface IrcServer {
  port: number;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (ngircd cannot be told to pick one itself). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startIrcServer(): Promise<IrcServer> {
  const dir = makeTempDir('gatehouse-ngircd-');
  const port = await freePort();
  const conf = path.join(dir.path, 'ngircd.conf');
  writeFileSync(conf, [
    '[Global]', 'Name = irc.gatehouse.test', 'Info = gatehouse test server', 'Listen = 127.0.0.1', `Ports = ${port}`,
    `PidFile = ${path.join(dir.path, 'ngircd.pid')}`, `MotdPhrase = gatehouse test`, 'ServerUID = 0', 'ServerGID = 0',
    '[Limits]', 'MaxConnectionsIP = 0', 'ConnectRetry = 60',
    '[Options]', 'DNS = no', 'Ident = no', 'PAM = no', 'SyslogFacility = local7',
    '',
  ].join('\n'));
  const child = spawn(NGIRCD, ['--nodaemon', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stopper = childStopper(child);
  const stop = async () => {
    await stopper.stop();
    dir.remove();
  };
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    // Listening once a TCP connection is taken.
    for (const started = Date.now(); ; ) {
      if (stopper.exited()) throw new Error(`ngircd exited before listening:\n${output}`);
      const ok = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
        socket.on('error', () => resolve(false));
      });
      if (ok) break;
      if (Date.now() - started > 10_000) throw new Error(`ngircd did not listen on ${port} within 10 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, stop };
}

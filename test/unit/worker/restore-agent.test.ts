// The host's side of the restore agent's line (tellAgent), against a real unix socket server that
// speaks the guest's side: the key and a fresh seed go first, the host's clock goes when asked, and
// only "ok" counts as done. The agent's perl compiles for every architecture it knows, and run on
// this host against a port that reads as "not connected" (end of file, as a virtio-serial port
// whose host side is not connected), it sets itself up and then sleeps until SIGIO, waking on no
// timer: a restored ppc64le guest under QEMU 7.2's TCG has none at first.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentProgram, startAgentCommand, tellAgent, timerKickProgram } from '../../../worker/executor/vm/snapshot/restore-agent.js';

const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyBlob+/=';

describe('the restore agent', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  /** A guest stand-in: records the lines it gets, and answers each with `answer(line)` (undefined: no answer). */
  function fakeGuest(answer: (line: string) => string | undefined): { socket: string; lines: string[] } {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-agent-test-'));
    const socket = path.join(dir, 'sock');
    const lines: string[] = [];
    const server = net.createServer((connection) => {
      let buffer = '';
      connection.on('data', (chunk) => {
        buffer += chunk.toString();
        for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 1);
          lines.push(line);
          const reply = answer(line);
          if (reply !== undefined) connection.write(`${reply}\n`);
        }
      });
      connection.on('error', () => {});
    });
    server.listen(socket);
    cleanups.push(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { socket, lines };
  }

  it('sends the key and a seed, then the host clock when asked, and is done at "ok"', async () => {
    const guest = fakeGuest((line) => (line.startsWith(KEY) ? 'clock' : 'ok'));
    const before = BigInt(Date.now()) * 1_000_000n;
    await tellAgent(guest.socket, KEY, 5000);
    const after = BigInt(Date.now()) * 1_000_000n;
    expect(guest.lines).toHaveLength(2);
    const [key, seed] = (guest.lines[0] as string).split(' ');
    expect(key).toBe(KEY);
    expect(seed).toMatch(/^[0-9a-f]{128}$/);
    const clock = BigInt(guest.lines[1] as string);
    expect(clock >= before && clock <= after).toBe(true);
  });

  it('gives every restore its own seed', async () => {
    const guest = fakeGuest((line) => (line.startsWith(KEY) ? 'clock' : 'ok'));
    await tellAgent(guest.socket, KEY, 5000);
    await tellAgent(guest.socket, KEY, 5000);
    const seeds = guest.lines.filter((l) => l.startsWith(KEY)).map((l) => l.split(' ')[1]);
    expect(seeds).toHaveLength(2);
    expect(seeds[0]).not.toBe(seeds[1]);
  });

  it('fails with the agent\'s error, and when it does not answer in time', async () => {
    const failing = fakeGuest(() => 'error RNDADDENTROPY: Operation not permitted');
    await expect(tellAgent(failing.socket, KEY, 5000)).rejects.toThrow(/the restore agent failed: error RNDADDENTROPY/);
    const silent = fakeGuest(() => undefined);
    const started = Date.now();
    await expect(tellAgent(silent.socket, KEY, 300)).rejects.toThrow(/did not answer in 300 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(silent.lines).toHaveLength(1);
  });

  it('refuses a key that could break out of its line', async () => {
    await expect(tellAgent('/nonexistent', 'AAAA x\nrm', 1000)).rejects.toThrow(/unexpected characters/);
  });

  it('has perl that compiles for the architectures it knows, and none for the others', () => {
    for (const arch of ['x86_64', 'ppc64le'] as const) {
      const command = startAgentCommand(arch);
      expect(command).toMatch(/^sudo sh -c '/);
      // The perl program as the guest's sh would see it: undo the two levels of single quoting.
      const unquote = (text: string) => text.slice(1, -1).replace(/'\\''/g, "'");
      const root = unquote((command as string).slice('sudo sh -c '.length));
      const perl = unquote(/exec perl -MPOSIX -e ('[\s\S]*')$/.exec(root)?.[1] as string);
      expect(execFileSync('perl', ['-MPOSIX', '-c', '-e', perl], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
    }
    expect(startAgentCommand('aarch64')).toBeUndefined();
  });

  it('waits for SIGIO, not on a timer, while its port reads as not connected', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-agent-run-'));
    const pidFile = path.join(dir, 'agent.pid');
    let pid = 0;
    cleanups.push(() => {
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });
    const program = agentProgram(process.arch === 'ppc64' ? 'ppc64le' : 'x86_64', { port: '/dev/null', pidFile }) as string;
    const parent = spawn('perl', ['-MPOSIX', '-e', program], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    parent.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    expect(await new Promise((resolve) => parent.on('exit', resolve)), stderr).toBe(0);
    // The child writes its pid only once its setup (SIGIO blocked, O_ASYNC on the port) worked. The
    // file exists (empty) a moment before its line is in it: wait for the whole line.
    const pidLine = () => (existsSync(pidFile) ? /^(\d+)\n$/.exec(readFileSync(pidFile, 'utf8'))?.[1] : undefined);
    const deadline = Date.now() + 5000;
    while (pidLine() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(pidLine(), `the agent did not get past its setup: ${stderr}`).toBeDefined();
    pid = Number(pidLine());
    expect(pid).toBeGreaterThan(0);
    const wakeUps = () => Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    // Settled in its wait: no more wake-ups over 300 ms (an agent that slept 20 ms between reads had 15).
    let before = wakeUps();
    for (let settled = Date.now() + 2000; Date.now() < settled; ) {
      await new Promise((r) => setTimeout(r, 100));
      const now = wakeUps();
      if (now === before) break;
      before = now;
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(wakeUps() - before).toBe(0);
    // SIGIO wakes it: it reads its port again (end of file still) and goes back to waiting.
    process.kill(pid, 'SIGIO');
    const woken = Date.now() + 5000;
    while (wakeUps() === before && Date.now() < woken) await new Promise((r) => setTimeout(r, 20));
    expect(wakeUps()).toBeGreaterThan(before);
    expect(existsSync(`/proc/${pid}`)).toBe(true);
  });

  it("has each CPU's timer reprogrammed: pinned to each it may use in turn, a sleep that is due at once returns", () => {
    // Run on this host with its own numbers: wrong syscall numbers or arguments make the sub die,
    // and a CPU it skipped would leave the count short of the CPUs this process may run on.
    const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'ppc64' ? 'ppc64le' : undefined;
    if (!arch) throw new Error(`no restore agent numbers for this host (${process.arch})`);
    const kick = timerKickProgram(arch) as string;
    const out = execFileSync('perl', ['-e', `use strict; ${kick}\nprint kick_timers(), "\\n";`], { encoding: 'utf8', timeout: 10_000 });
    expect(Number(out.trim())).toBe(cpusItMayUse());
    expect(timerKickProgram('s390x')).toBeUndefined();
  });
});

/** How many CPUs a process here may be pinned to: the online ones, within this cgroup's cpuset when it has one. */
function cpusItMayUse(): number {
  const count = (list: string) => list.trim().split(',').filter(Boolean).reduce((sum, range) => {
    const [first, last = first] = range.split('-').map(Number) as [number, number?];
    return sum + (last as number) - first + 1;
  }, 0);
  const cgroup = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
  const cpuset = cgroup !== undefined ? path.join('/sys/fs/cgroup', cgroup, 'cpuset.cpus.effective') : '';
  return count(cpuset && existsSync(cpuset) ? readFileSync(cpuset, 'utf8') : readFileSync('/sys/devices/system/cpu/online', 'utf8'));
}

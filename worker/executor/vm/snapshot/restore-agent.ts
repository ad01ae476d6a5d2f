// The restore agent: a small perl process (perl is in every Debian image) started as root in the
// snapshot's guest just before the save, so that every restored copy has it already running. It
// makes a restored guest the build's own without a login and without starting a process: the host
// writes the build's public key and a random seed on a virtio-serial port, the agent puts the key in
// the snapshot's authorized key file (in SNAPSHOT_KEYS_DIR, what the snapshot's sshd reads) and in the
// file bind-mounted over /proc/cmdline at snapshot time (what the image's own
// AuthorizedKeysCommand reads): the snapshot key opens nothing any more. It mixes
// the seed into the kernel's random pool and reseeds it (RNDADDENTROPY, RNDRESEEDCRNG), asks the host
// for its clock and sets its own to it (clock_settime; off by the one-way latency of that line), and
// answers "ok". Before all that it has each CPU's timer programmed anew (kick_timers: a ppc64le guest
// restored by QEMU 7.2 can lose it). Each restored guest is a fresh copy of the snapshot, so the agent serves once and ends.
//
// The port's host side is a unix socket QEMU listens on (libvirtd makes it, owned by QEMU's user and
// group, mode 0775), named after the domain in the worker's VM directory (0711, not listable):
// only root and QEMU's user and group can connect, not any local user (as a TCP port would let them).
// Not in /tmp: the worker's unit has a private /tmp, which libvirtd does not see. A worker that
// runs neither as root nor in QEMU's group (setup-host.sh adds it) is refused (EACCES, at once): its
// restores then make the guest their own over SSH (restore-vm.ts), as slow as before the agent.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { GUEST_USER } from '../guest-paths.js';
import { shellQuote } from '../remote-step.js';
import type { VmImage } from '../vm-image.js';

/** The virtio-serial port's name (the guest sees /dev/virtio-ports/<name>). */
export const AGENT_CHANNEL = 'org.gatehouse.restore';

/**
 * A snapshot's guest reads the CI user's one key from this file (make-snapshot.ts points its sshd
 * here), not through the image's AuthorizedKeysCommand: no process per authentication.
 */
export const SNAPSHOT_KEYS_DIR = '/run/gatehouse/keys';

/** The authorized_keys line of a build key (its base64 blob). */
export function authorizedKeyLine(publicBlob: string): string {
  if (!/^[A-Za-z0-9+/=]+$/.test(publicBlob)) throw new Error('unexpected characters in the build key');
  return `ssh-ed25519 ${publicBlob} gatehouse-build`;
}

// Per-architecture syscall, ioctl and signal numbers: clock_settime (powerpc's 246 is clock_gettime,
// which "succeeds" and leaves the clock at save time), _IOW('R', 3, int[2]) and _IO('R', 7)
// (powerpc encodes the ioctl direction bits differently), SIGIO (not a POSIX signal, so perl's
// POSIX module has no name for it). Guests without an entry get no agent.
const NUMBERS: Partial<Record<VmImage['arch'], { clockSettime: number; clockNanosleep: number; setAffinity: number; addEntropy: string; reseed: string; sigio: number }>> = {
  x86_64: { clockSettime: 227, clockNanosleep: 230, setAffinity: 203, addEntropy: '0x40085203', reseed: '0x5207', sigio: 29 },
  ppc64le: { clockSettime: 245, clockNanosleep: 248, setAffinity: 222, addEntropy: '0x80085203', reseed: '0x20005207', sigio: 29 },
};

/**
 * The command (run as the guest user, over SSH, before the save) that bind-mounts a file of the
 * agent's over /proc/cmdline and starts the agent, detached; it ends once the agent has the port
 * open. Undefined for an architecture the agent does not know.
 */
export function startAgentCommand(arch: VmImage['arch']): string | undefined {
  const perl = agentProgram(arch, { port: `/dev/virtio-ports/${AGENT_CHANNEL}`, pidFile: '/run/gatehouse/agent.pid' });
  if (!perl) return undefined;
  const root = ['set -e', 'mkdir -p /run/gatehouse', 'cat /proc/cmdline > /run/gatehouse/cmdline', 'chmod 644 /run/gatehouse/cmdline', 'mount --bind /run/gatehouse/cmdline /proc/cmdline', `exec perl -MPOSIX -e ${shellQuote(perl)}`].join('\n');
  return `sudo sh -c ${shellQuote(root)}`;
}

/**
 * The agent's perl program (run with -MPOSIX): it opens `port`, forks, and the child writes its
 * pid to `pidFile` once it is set up, then serves. Undefined for an architecture it does not know.
 */
export function agentProgram(arch: VmImage['arch'], paths: { port: string; pidFile: string }): string | undefined {
  const n = NUMBERS[arch];
  if (!n) return undefined;
  // Reads from a port whose host side is not connected return EOF at once (poll says HUP), so the
  // agent waits for SIGIO instead, which the port sends when the host connects (O_ASYNC): the
  // host's connection wakes it through the port's interrupt, not through a guest timer. (It slept
  // 20 ms between reads before; a restored ppc64le guest under QEMU 7.2's TCG has no timer
  // interrupts, see AGENT_TIMEOUT_MS, so that sleep often never ended.) SIGIO stays blocked
  // outside sigsuspend, so one that comes between a read and the wait is not lost.
  return `use strict;
use Fcntl ();
open(my $port, "+<", "${paths.port}") or die "no port: $!\\n";
binmode $port;
my $pid = fork() // die "fork: $!\\n";
exit 0 if $pid;
POSIX::setsid();
$SIG{IO} = sub {};
POSIX::sigprocmask(POSIX::SIG_BLOCK(), POSIX::SigSet->new(${n.sigio})) or die "sigprocmask: $!\\n";
fcntl($port, Fcntl::F_SETOWN(), 0 + $$) or die "F_SETOWN: $!\\n";
fcntl($port, Fcntl::F_SETFL(), fcntl($port, Fcntl::F_GETFL(), 0) | Fcntl::O_ASYNC()) or die "O_ASYNC: $!\\n";
if (open(my $p, ">", "${paths.pidFile}")) { print $p "$$\n"; close($p); }
open(STDIN, "<", "/dev/null"); open(STDOUT, ">", "/dev/null"); open(STDERR, ">", "/dev/null");
my $buffer = "";
sub line { while ($buffer !~ /\\n/) { my $n = sysread($port, my $chunk, 4096); die "read: $!" unless defined $n; if ($n == 0) { POSIX::sigsuspend(POSIX::SigSet->new()); next; } $buffer .= $chunk; } $buffer =~ s/^([^\\n]*)\\n//; return $1; }
${kickTimers(n)}
my $answer = eval {
  my ($key, $seed) = line() =~ /^([A-Za-z0-9+\\/=]+) ([0-9a-f]+)$/ or die "bad request\\n";
  eval { kick_timers(); 1 }; # a failed kick must not keep the build's key out
  open(my $c, "+<", "/run/gatehouse/cmdline") or die "cmdline: $!\\n";
  my $text = <$c>;
  $text =~ s/gatehouse\\.key=\\S*/gatehouse.key=$key/ or die "no key on the command line\\n";
  seek($c, 0, 0); truncate($c, 0); print $c $text; close($c) or die "cmdline: $!\\n";
  if (-d "${SNAPSHOT_KEYS_DIR}") {
    open(my $k, ">", "${SNAPSHOT_KEYS_DIR}/.${GUEST_USER}") or die "key file: $!\\n";
    print $k "ssh-ed25519 $key gatehouse-build\\n"; close($k) or die "key file: $!\\n";
    chmod(0644, "${SNAPSHOT_KEYS_DIR}/.${GUEST_USER}"); rename("${SNAPSHOT_KEYS_DIR}/.${GUEST_USER}", "${SNAPSHOT_KEYS_DIR}/${GUEST_USER}") or die "key file: $!\\n";
  }
  open(my $r, "+<", "/dev/urandom") or die "urandom: $!\\n";
  my $bytes = pack("H*", $seed);
  ioctl($r, ${n.addEntropy}, pack("ii", 8 * length($bytes), length($bytes)) . $bytes) or die "RNDADDENTROPY: $!\\n";
  ioctl($r, ${n.reseed}, 0) or die "RNDRESEEDCRNG: $!\\n";
  syswrite($port, "clock\\n");
  my ($sec, $nsec) = line() =~ /^(\\d+)(\\d{9})$/ or die "bad clock\\n";
  syscall(${n.clockSettime}, 0, pack("qq", $sec, $nsec)) == 0 or die "clock_settime: $!\\n";
  abs(time() - $sec) < 5 or die "the clock did not move\\n";
  "ok";
};
$answer //= "error $@";
$answer =~ s/\\n//g;
syswrite($port, "$answer\\n");
`;
}

/**
 * The agent's perl sub kick_timers (returns how many CPUs it went through): exported for the test
 * that runs it on the host. Undefined for an architecture the agent does not know.
 */
export function timerKickProgram(arch: VmImage['arch']): string | undefined {
  const n = NUMBERS[arch];
  return n ? kickTimers(n) : undefined;
}

function kickTimers(n: { setAffinity: number; clockNanosleep: number }): string {
  return `# Each CPU's timer is reprogrammed (see restore-vm.ts, AGENT_TIMEOUT_MS): on each CPU in turn, an
# absolute CLOCK_MONOTONIC sleep until 1 ns is earlier than any event that CPU's timer waits for, so
# the kernel programs the timer anew at once (forced, for an event already due), and the sleep ends
# on the timer interrupt that follows. A guest whose timer event was lost in the restore has its
# timer back; in any other it costs one interrupt per CPU. A CPU the agent may not run on
# (EINVAL) is skipped; the count says how many were done.
sub kick_timers {
  open(my $o, "<", "/sys/devices/system/cpu/online") or die "cpus: $!\\n";
  my $online = <$o>; close($o);
  my $kicked = 0;
  for my $range (split(/,/, $online)) {
    my ($first, $last) = $range =~ /^(\\d+)(?:-(\\d+))?$/ or die "cpus: $online\\n";
    for my $cpu ($first .. ($last // $first)) {
      my ($mask, $at) = ("", pack("qq", 0, 1)); # variables: syscall may write to its arguments
      vec($mask, $cpu, 1) = 1;
      $mask .= "\\0" x (-length($mask) % 8); # whole longs, as the kernel reads them
      if (syscall(${n.setAffinity}, 0, length($mask), $mask) != 0) { next if $!{EINVAL}; die "sched_setaffinity: $!\\n"; }
      syscall(${n.clockNanosleep}, 1, 1, $at, 0) == 0 or die "clock_nanosleep: $!\\n";
      $kicked++;
    }
  }
  return $kicked;
}`;
}

/**
 * Make the restored guest behind `socket` the build's own through its agent (see above); rejects
 * when the agent does not answer "ok" within `timeoutMs`.
 */
export async function tellAgent(socket: string, publicBlob: string, timeoutMs: number): Promise<void> {
  if (!/^[A-Za-z0-9+/=]+$/.test(publicBlob)) throw new Error('unexpected characters in the build key');
  const connection = net.connect(socket);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the restore agent did not answer in ${timeoutMs} ms`)), timeoutMs);
      let received = '';
      connection.on('error', (error) => reject(new Error(`the restore agent's socket: ${error.message}`)));
      connection.on('close', () => reject(new Error('the restore agent closed its port without an answer')));
      connection.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        for (let end = received.indexOf('\n'); end >= 0; end = received.indexOf('\n')) {
          const line = received.slice(0, end);
          received = received.slice(end + 1);
          if (line === 'clock') connection.write(`${BigInt(Date.now()) * 1_000_000n}\n`);
          else {
            clearTimeout(timer);
            if (line === 'ok') resolve();
            else reject(new Error(`the restore agent failed: ${line.slice(0, 200)}`));
          }
        }
      });
      connection.write(`${publicBlob} ${randomBytes(64).toString('hex')}\n`);
    });
  } finally {
    connection.destroy();
  }
}

/** The longest path a unix socket may have (sun_path holds 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * The agent socket of domain `domain`, in the worker's VM directory `vmDir`; `remove` deletes it
 * (libvirt does when the domain ends, but not after a crash: leftovers.ts sweeps those).
 */
export async function agentSocket(vmDir: string, domain: string): Promise<{ socket: string; channel: string; remove: () => Promise<void> }> {
  const socket = path.join(vmDir, `${domain}${AGENT_SOCKET_SUFFIX}`);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) throw new Error(`the restore agent's socket path ${socket} is longer than a unix socket allows (${MAX_SOCKET_PATH} bytes): use a shorter data directory`);
  const remove = () => rm(socket, { force: true });
  await remove(); // what a crashed run left: QEMU could not listen there
  return { socket, channel: AGENT_CHANNEL, remove };
}

/** An agent socket's file name is its domain's name with this after it. */
export const AGENT_SOCKET_SUFFIX = '.agent';

// An SSH connection to a build VM through ssh2: commands with streamed output and exit codes, and
// SFTP for files. `waitForSsh` dials until the guest's sshd answers, the deadline passes, or the
// caller learns that the VM will never answer (it died or its kernel panicked).
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ssh2 from 'ssh2';
import type { ClientChannel, SFTPWrapper } from 'ssh2';

type Client = InstanceType<typeof ssh2.Client>;

export interface SshTarget {
  port: number;
  username: string;
  privateKey: string;
  /** The image's host keys (base64 blobs); when given, any other key is refused. */
  hostKeys?: string[];
  /** Told when the TCP connection is up and when the key exchange is done (for phase timings). */
  onProgress?: (event: 'connected' | 'handshake') => void;
}

export interface ExecOptions {
  /**
   * Made once the channel is open and piped to the command's stdin (default: stdin closed at once).
   * A factory, not a stream: Node discards the unread output of a child process that exits, so a
   * producer like `tar` must start only when its output has somewhere to go.
   */
  stdin?: () => Readable;
  onStdout?: (text: string) => void | Promise<void>;
  onStderr?: (text: string) => void | Promise<void>;
}

export interface ExecResult {
  code: number | null;
  signal?: string;
}

export interface PreparedExec {
  /** Feed stdin and read the output, to the command's end; call once. */
  run(options?: ExecOptions): Promise<ExecResult>;
}

export class SshSession {
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private closed = false;
  /** Set when the connection ends: what a running command reports. */
  endReason: string | undefined;

  constructor(private readonly client: Client) {
    client.on('close', () => {
      this.closed = true;
      this.endReason ??= 'the SSH connection to the VM closed';
    });
    client.on('error', (error: Error) => {
      this.endReason = `SSH: ${error.message}`;
    });
  }

  get alive(): boolean {
    return !this.closed;
  }

  /** Run `command` to its end. Output arrives decoded; a returned promise pauses the stream (backpressure). */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.prepareExec(command).run(options);
  }

  /**
   * Open the command's channel now and drive it later: the command starts at once and waits on its
   * stdin meanwhile. A warm VM keeps one ready, so its first step skips the channel open and the
   * session setup in the guest (hundreds of milliseconds under TCG).
   */
  prepareExec(command: string): PreparedExec {
    let exit: ExecResult | undefined;
    let closed = false;
    const opened = new Promise<ClientChannel>((resolve, reject) => {
      if (this.closed) return reject(new Error(this.endReason ?? 'the SSH connection is closed'));
      this.client.exec(command, (error, channel: ClientChannel) => {
        if (error) return reject(error);
        channel.on('exit', (code: number | null, signal?: string) => {
          exit = signal ? { code: null, signal: `SIG${signal}` } : { code };
        });
        channel.on('close', () => (closed = true));
        resolve(channel);
      });
    });
    opened.catch(() => {});
    const fail = () => new Error(this.endReason ?? 'the command ended without an exit status (the VM went away?)');
    return {
      run: async (options = {}) => {
        const channel = await opened;
        return new Promise<ExecResult>((resolve, reject) => {
          const settle = () => (exit ? resolve(exit) : reject(fail()));
          pump(channel, options.onStdout);
          pump(channel.stderr, options.onStderr);
          if (closed) return settle();
          channel.on('close', settle);
          if (options.stdin) {
            const input = options.stdin();
            input.on('error', () => channel.destroy());
            input.pipe(channel as unknown as Writable);
          } else channel.end();
        });
      },
    };
  }

  /** Run a command that must succeed; its output is returned (stdout) or put in the error (stderr). */
  async run(command: string): Promise<string> {
    let out = '';
    let err = '';
    const result = await this.exec(command, { onStdout: (t) => void (out += t), onStderr: (t) => void (err += t) });
    if (result.code !== 0) throw new Error(`\`${command.slice(0, 80)}\` in the VM exited ${result.code ?? result.signal}: ${err.trim().slice(-500)}`);
    return out;
  }

  sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise((resolve, reject) => this.client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp))));
    return this.sftpSession;
  }

  async writeFile(file: string, data: Buffer | string, mode: number): Promise<void> {
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) => sftp.writeFile(file, data, { mode }, (error) => (error ? reject(error) : resolve())));
    await chmod(sftp, file, mode); // writeFile's mode is ignored for a file that already exists
  }

  /**
   * A directory with this mode, made through SFTP (no process in the guest); one that exists
   * already is only given the mode. Its parent must exist.
   */
  async makeDir(dir: string, mode: number): Promise<void> {
    const sftp = await this.sftp();
    const made = await new Promise<Error | undefined>((resolve) => sftp.mkdir(dir, { mode }, (error) => resolve(error ?? undefined)));
    if (made) {
      const isDir = await new Promise<boolean>((resolve) => sftp.stat(dir, (error, stats) => resolve(!error && stats.isDirectory())));
      if (!isDir) throw new Error(`cannot make the directory ${dir} in the VM: ${made.message}`);
    }
    await chmod(sftp, dir, mode); // mkdir's mode passes through the guest's umask, and an existing directory keeps its own
  }

  /** For files too large to hold in memory (artifacts). */
  async readStream(file: string): Promise<Readable> {
    return (await this.sftp()).createReadStream(file);
  }

  /** The source is opened only once SFTP is there (an opened download must not be left hanging). */
  async writeStream(file: string, open: () => Promise<Readable>, mode: number): Promise<void> {
    const sftp = await this.sftp();
    await pipeline(await open(), sftp.createWriteStream(file, { mode }));
    await chmod(sftp, file, mode); // createWriteStream's mode is ignored for a file that already exists
  }

  async readFile(file: string): Promise<Buffer> {
    const sftp = await this.sftp();
    return new Promise((resolve, reject) => sftp.readFile(file, (error: Error | undefined, data: Buffer) => (error ? reject(error) : resolve(data))));
  }

  close(): void {
    this.closed = true;
    this.client.end();
    this.client.destroy();
  }
}

function pump(stream: Readable, onText?: (text: string) => void | Promise<void>): void {
  const decoder = new StringDecoder('utf8'); // multi-byte characters split across packets stay whole
  stream.on('data', (chunk: Buffer) => {
    const text = decoder.write(chunk);
    if (!onText || text === '') return;
    const wait = onText(text);
    if (!(wait instanceof Promise)) return;
    stream.pause();
    wait.then(
      () => stream.resume(),
      () => stream.resume(),
    );
  });
  stream.on('end', () => {
    const rest = decoder.end();
    if (rest && onText) void onText(rest);
  });
}

/** One attempt: resolves with a session, or rejects (refused, reset, timed out, wrong host key). */
export function connectSsh(target: SshTarget, timeoutMs: number): Promise<SshSession> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let badHostKey = false;
    const done = (error?: Error) => {
      client.removeAllListeners('ready');
      if (error) {
        client.removeAllListeners('error');
        client.on('error', () => {});
        client.destroy();
        return reject(badHostKey ? new Error('the VM presented an SSH host key that is not in the image manifest') : error);
      }
      resolve(new SshSession(client));
    };
    client.once('ready', () => done());
    client.once('error', (error: Error) => done(error));
    if (target.onProgress) {
      client.once('connect', () => target.onProgress?.('connected'));
      client.once('handshake', () => target.onProgress?.('handshake'));
    }
    client.connect({
      host: '127.0.0.1',
      port: target.port,
      username: target.username,
      privateKey: target.privateKey,
      // Straight to the key: ssh2 would first try 'none', one more round trip to the guest's sshd.
      authHandler: ['publickey'],
      readyTimeout: timeoutMs,
      keepaliveInterval: 10_000,
      keepaliveCountMax: 6,
      hostVerifier: (key: Buffer) => {
        if (!target.hostKeys?.length) return true;
        const ok = target.hostKeys.includes(key.toString('base64'));
        badHostKey = !ok;
        return ok;
      },
    });
  });
}

export interface WaitOptions {
  /** Epoch ms after which waiting stops. */
  deadline: number;
  signal: AbortSignal;
  /** Called between attempts: a string says why the VM will never answer (stops at once). */
  check?: () => Promise<string | undefined>;
  /**
   * Resolves when the guest says sshd is up: the pending attempt is dropped and a new one made at
   * once. An attempt made before the guest had an address waits for slirp to resend its SYN
   * (seconds later), or for its own timeout.
   */
  retryNow?: Promise<void>;
}

const RETRY_NOW = 'sshd started: trying again at once';

export async function waitForSsh(target: SshTarget, options: WaitOptions): Promise<SshSession> {
  let last = 'no answer';
  let sshdUp = false;
  const retryNow = options.retryNow?.then(() => {
    sshdUp = true;
    throw new Error(RETRY_NOW);
  });
  retryNow?.catch(() => {});
  while (Date.now() < options.deadline) {
    if (options.signal.aborted) throw new Error('cancelled while the VM was booting');
    const hopeless = await options.check?.();
    if (hopeless) throw new Error(hopeless);
    const started = Date.now();
    const attempt = connectSsh(target, Math.max(1000, Math.min(8000, options.deadline - Date.now())));
    try {
      // Only an attempt made before sshd was up is dropped.
      return await abortable(retryNow && !sshdUp ? Promise.race([attempt, retryNow]) : attempt, options.signal);
    } catch (error) {
      if (options.signal.aborted || (error as Error).message === RETRY_NOW) attempt.then((late) => late.close(), () => {});
      if (options.signal.aborted) throw new Error('cancelled while the VM was booting');
      if ((error as Error).message === RETRY_NOW) continue;
      last = (error as Error).message;
      if (last.includes('host key')) throw error;
    }
    // A refused or reset connection comes back at once: don't spin.
    const pause = Math.max(0, 250 - (Date.now() - started));
    if (pause) await new Promise((r) => setTimeout(r, pause));
  }
  throw new Error(`the VM did not answer SSH in time (last attempt: ${last})`);
}

/** `promise`, or a rejection ('aborted') as soon as `signal` aborts; the promise itself goes on. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function chmod(sftp: SFTPWrapper, file: string, mode: number): Promise<void> {
  return new Promise<void>((resolve, reject) => sftp.chmod(file, mode, (error) => (error ? reject(error) : resolve())));
}

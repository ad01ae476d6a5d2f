// A TCP port free on 127.0.0.1 right now, for the VM's SSH forward. Another process may take it
// before qemu binds it: qemu then fails at once, and the caller picks another and retries.
import { createServer } from 'node:net';

export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** qemu's words when the forward's port is taken. */
export function isPortInUseError(message: string): boolean {
  return /Could not set up host forwarding rule|hostfwd|Address already in use/i.test(message);
}

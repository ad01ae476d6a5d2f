// A TCP proxy on 127.0.0.1 between a worker and the master, so a test can cut the connection
// mid-step (as a flaky network does) and let it come back.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Destroy every open connection; refuse new ones for `downMs`. */
  cut(downMs: number): void;
  connections(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let downUntil = 0;
  const server = net.createServer((client) => {
    if (Date.now() < downUntil) return client.destroy();
    const upstream = net.connect(targetPort, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut(downMs) {
      downUntil = Date.now() + downMs;
      for (const s of open) s.destroy();
      open.clear();
    },
    connections: () => open.size / 2,
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

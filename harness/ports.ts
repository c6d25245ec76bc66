// The harness's one free-port helper, and a probe for a listening TCP port.
import net from 'node:net';

/** Distinct free TCP ports, held open together so the kernel cannot hand out one twice. */
export async function freePorts(count: number, host = '0.0.0.0'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, host, () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export async function freePort(host = '0.0.0.0'): Promise<number> {
  return (await freePorts(1, host))[0] as number;
}

/** True when a TCP connection to host:port opens within `timeoutMs`. */
export function portListening(port: number, host = '127.0.0.1', timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

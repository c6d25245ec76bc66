// A TCP proxy on 127.0.0.1 that paces the bytes flowing back from its target, shared by all
// connections: one node's link to a registry. The loopback registry alone would move a layer at
// memory speed, which no node pulling from a real registry sees. Requests go through unpaced.
import net from 'node:net';

export interface ThrottledProxy {
  /** `127.0.0.1:port`, to use as an image registry host. */
  readonly host: string;
  /** Bytes sent from the target to clients so far. */
  readonly bytes: () => number;
  close(): Promise<void>;
}

export async function startThrottledProxy(target: { host: string; port: number }, bytesPerSecond: number): Promise<ThrottledProxy> {
  if (!(bytesPerSecond > 0)) throw new Error(`the proxy's rate must be positive, got ${bytesPerSecond} bytes/s`);
  let sent = 0;
  /** When the link is free again (performance.now() ms): every chunk books its transfer time on it. */
  let linkFreeAt = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => (s === client ? upstream : client).destroy());
    }
    client.pipe(upstream);
    client.on('close', () => upstream.destroy());
    // The target closing after its last byte is normal: the paced tail is still on its way.
    upstream.on('close', (hadError) => hadError && client.destroy());
    // A paused socket still reports its end, possibly before a delayed chunk is out: end the
    // client only once nothing is waiting.
    let waiting = 0;
    let ended = false;
    upstream.on('data', (chunk: Buffer) => {
      const now = performance.now();
      linkFreeAt = Math.max(now, linkFreeAt) + (chunk.length / bytesPerSecond) * 1000;
      const deliver = () => {
        sent += chunk.length;
        if (!client.write(chunk)) {
          upstream.pause();
          client.once('drain', () => upstream.resume());
        }
      };
      const wait = linkFreeAt - now;
      if (wait < 2) {
        deliver();
        return;
      }
      waiting++;
      upstream.pause();
      setTimeout(() => {
        waiting--;
        deliver();
        if (ended && waiting === 0) client.end();
        else if (!client.writableNeedDrain) upstream.resume();
      }, wait);
    });
    upstream.on('end', () => {
      ended = true;
      if (waiting === 0) client.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    bytes: () => sent,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

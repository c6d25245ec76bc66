// The bench's paced registry link (bench/throttle.ts): bytes arrive intact, in order, and no faster
// than the rate, also when two connections share the link.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ThrottledProxy, startThrottledProxy } from '../bench/throttle.js';

const PAYLOAD = randomBytes(1 << 20);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let origin: net.Server | undefined;
let proxy: ThrottledProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await new Promise((resolve) => (origin ? origin.close(resolve) : resolve(undefined)));
  proxy = undefined;
  origin = undefined;
});

/** A server that answers every connection with PAYLOAD once the client has sent a line. */
async function startOrigin(): Promise<number> {
  origin = net.createServer((s) => s.once('data', () => s.end(PAYLOAD)));
  await new Promise<void>((resolve) => origin!.listen(0, '127.0.0.1', resolve));
  return (origin.address() as net.AddressInfo).port;
}

async function fetchThrough(host: string): Promise<Buffer> {
  const [h, p] = host.split(':') as [string, string];
  const socket = net.connect(Number(p), h);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.write('GET\n');
  await new Promise((resolve, reject) => {
    socket.on('end', resolve);
    socket.on('error', reject);
  });
  return Buffer.concat(chunks);
}

describe('startThrottledProxy', () => {
  it('delivers the payload intact and no faster than the rate', async () => {
    const port = await startOrigin();
    proxy = await startThrottledProxy({ host: '127.0.0.1', port }, 4e6);
    const t0 = performance.now();
    const got = await fetchThrough(proxy.host);
    const elapsed = performance.now() - t0;
    expect(sha(got)).toBe(sha(PAYLOAD));
    expect(proxy.bytes()).toBe(PAYLOAD.length);
    // 1 MiB at 4 MB/s is 262 ms on the wire; the first chunk leaves at once, so allow one chunk.
    expect(elapsed).toBeGreaterThanOrEqual(((PAYLOAD.length - 65536) / 4e6) * 1000);
  });

  it('shares the rate between connections, as one node link', async () => {
    const port = await startOrigin();
    proxy = await startThrottledProxy({ host: '127.0.0.1', port }, 8e6);
    const t0 = performance.now();
    const both = await Promise.all([fetchThrough(proxy.host), fetchThrough(proxy.host)]);
    const elapsed = performance.now() - t0;
    for (const got of both) expect(sha(got)).toBe(sha(PAYLOAD));
    expect(elapsed).toBeGreaterThanOrEqual(((2 * PAYLOAD.length - 2 * 65536) / 8e6) * 1000);
  });

  it('refuses a rate that is not positive', async () => {
    await expect(startThrottledProxy({ host: '127.0.0.1', port: 1 }, 0)).rejects.toThrow(/rate must be positive, got 0/);
  });
});

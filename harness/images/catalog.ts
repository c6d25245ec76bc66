// The images the local backend's real node runs, each built from this repo or from Debian packages
// on the host (never pulled): names under `localhost/antler/`, referenced by tag and digest with
// `imagePullPolicy: Never`. The kind path keeps the real upstream images.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { AGENT_BUILD_INPUTS, AGENT_BUNDLE_FILES, buildAgentBundle } from '../../sandbox-agent/build.js';
import { AGENT_IMAGE_ENTRY, AGENT_NODE_ARGS } from '../../sandbox-agent/node-flags.js';
import { run } from '../exec.js';
import { ensureSystemPackages } from '../system-packages.js';
import { COREDNS_VERSION, KUBE_NETWORK_POLICIES_VERSION } from '../tool-manifest.js';
import { resolveTool } from '../tools.js';
import { debianTag, packageFiles, unpackedPackage } from './debian.js';
import { NODE_RUNTIME_VERSION, nodeLayer, nodeRuntime } from './node-runtime.js';
import { deerflowGatewayRecipe } from './deerflow-gateway.js';
import { litellmRecipe } from './litellm.js';
import { withBusybox } from './busybox.js';
import { deerflowFrontendRecipe } from './deerflow-frontend.js';
import type { ImageConfig } from './oci.js';
import { Rootfs } from './rootfs.js';

const HARNESS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = path.resolve(HARNESS_DIR, '..');
export const IMAGE_PREFIX = 'localhost/antler';

export type ImageName = 'pause' | 'coredns' | 'kube-network-policies' | 'busybox' | 'sandbox-standin' | 'sandbox-standin-large' | 'sandbox-agent' | 'nginx' | 'postgres' | 'redis' | 'deerflow-gateway' | 'deerflow-frontend' | 'litellm';

export interface ImageRecipe {
  name: ImageName;
  /** What it is, for the report and the README. */
  description: string;
  /** Debian packages the recipe reads from the host. */
  hostPackages: string[];
  tag(): Promise<string>;
  /** Host files and trees whose change means a rebuild (besides harness/images itself). */
  inputs(): Promise<string[]>;
  /** Layers (bottom first) and the image config. Temporary files go under `scratch`. */
  prepare(scratch: string): Promise<{ layers: Rootfs[]; config: ImageConfig }>;
}

/** Compiles one self-contained TypeScript file (Node builtins only) to an ES module. */
async function transpile(file: string): Promise<string> {
  const output = ts.transpileModule(await readFile(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
    fileName: path.basename(file),
  });
  return output.outputText;
}

async function goStatic(dir: string, out: string): Promise<void> {
  await run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', out, '.'], { cwd: dir, env: { CGO_ENABLED: '0', GOFLAGS: '-mod=mod' } });
}

async function packageVersionOf(file: string): Promise<string> {
  return (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version;
}

const nonRoot = (uid: number) => `${uid}:${uid}`;

const standinRecipe: ImageRecipe = {
  name: 'sandbox-standin',
  description: "stand-in for DeerFlow's AIO sandbox image (harness/fakes/sandbox-standin.ts)",
  hostPackages: [],
  tag: async () => `node${NODE_RUNTIME_VERSION}-${await packageVersionOf(path.join(REPO_ROOT, 'package.json'))}`,
  inputs: async () => [(await unpackedPackage('busybox')).root, await nodeRuntime(), path.join(HARNESS_DIR, 'fakes/sandbox-standin.ts')],
  async prepare() {
    const app = new Rootfs()
      .content('/app/standin.mjs', await transpile(path.join(HARNESS_DIR, 'fakes/sandbox-standin.ts')))
      .add({ kind: 'dir', to: '/home/gem', uid: 1000, gid: 1000 })
      .user({ name: 'gem', uid: 1000, gid: 1000, home: '/home/gem' });
    return {
      layers: [await nodeLayer(), app],
      // A non-root user, as the sandbox Pods run with runAsNonRoot.
      config: { entrypoint: ['/usr/local/bin/node', '/app/standin.mjs'], env: ['HOME=/home/gem', 'PATH=/usr/local/bin:/usr/bin:/usr/sbin'], user: nonRoot(1000), exposedPorts: [8080], workingDir: '/home/gem' },
    };
  },
};

/** Size of the large stand-in's extra layer: a multi-hundred-MB AIO-like image, so pulls take visible time. */
export const BALLAST_MIB = 400;

/**
 * The stand-in plus one layer of random bytes (incompressible, like the binaries and models that
 * make the AIO image large), for pulls from the loopback registry (`make bench-ready`). Its other
 * layers are built again with it, and a pull onto the node moves the whole image (the bench counts
 * the bytes at its registry proxy).
 */
const standinLargeRecipe: ImageRecipe = {
  name: 'sandbox-standin-large',
  description: `the sandbox stand-in with a ${BALLAST_MIB} MiB random layer (pull-time benchmark)`,
  hostPackages: [],
  tag: async () => `${await standinRecipe.tag()}-ballast${BALLAST_MIB}m`,
  inputs: () => standinRecipe.inputs(),
  async prepare(scratch) {
    const { layers, config } = await standinRecipe.prepare(scratch);
    const file = path.join(scratch, 'ballast');
    const out = createWriteStream(file);
    for (let i = 0; i < BALLAST_MIB; i++) if (!out.write(randomBytes(1 << 20))) await once(out, 'drain');
    out.end();
    await once(out, 'close');
    return { layers: [...layers, new Rootfs().add({ kind: 'file', from: file, to: '/opt/ballast/blob', mode: 0o644 })], config };
  },
};

export const IMAGES: Record<ImageName, ImageRecipe> = {
  pause: {
    name: 'pause',
    description: 'Pod sandbox init (harness/images/pause, static Go)',
    hostPackages: [],
    tag: async () => '1.0.0',
    inputs: async () => [path.join(HARNESS_DIR, 'images/pause')],
    async prepare(scratch) {
      const binary = path.join(scratch, 'pause');
      await goStatic(path.join(HARNESS_DIR, 'images/pause'), binary);
      return { layers: [new Rootfs().add({ kind: 'file', from: binary, to: '/pause', mode: 0o755 })], config: { entrypoint: ['/pause'], user: '65535:65535' } };
    },
  },
  coredns: {
    name: 'coredns',
    description: 'CoreDNS (tool manager build, static) for cluster DNS',
    hostPackages: [],
    tag: async () => COREDNS_VERSION,
    inputs: async () => [await resolveTool('coredns')],
    async prepare() {
      const layer = new Rootfs().add({ kind: 'file', from: await resolveTool('coredns'), to: '/coredns', mode: 0o755 });
      return { layers: [layer], config: { entrypoint: ['/coredns'], user: nonRoot(65532), exposedPorts: [53] } };
    },
  },
  'kube-network-policies': {
    name: 'kube-network-policies',
    description: 'kube-network-policies (tool manager build with our NFQUEUE patch, static)',
    hostPackages: [],
    tag: async () => `${KUBE_NETWORK_POLICIES_VERSION}-antler`,
    inputs: async () => [await resolveTool('kube-network-policies')],
    async prepare() {
      const layer = new Rootfs().add({ kind: 'file', from: await resolveTool('kube-network-policies'), to: '/bin/kube-network-policies', mode: 0o755 });
      return { layers: [layer], config: { entrypoint: ['/bin/kube-network-policies'] } };
    },
  },
  busybox: {
    name: 'busybox',
    description: "Debian's busybox (helm test Pods)",
    hostPackages: [],
    tag: () => debianTag('busybox'),
    inputs: async () => [(await unpackedPackage('busybox')).root],
    async prepare() {
      return { layers: [await withBusybox(new Rootfs())], config: { cmd: ['sh'] } };
    },
  },
  'sandbox-standin': standinRecipe,
  'sandbox-standin-large': standinLargeRecipe,
  'sandbox-agent': {
    name: 'sandbox-agent',
    description: 'the sandbox agent from this repo (the esbuild bundle, as its Dockerfile builds it)',
    hostPackages: [],
    tag: () => packageVersionOf(path.join(REPO_ROOT, 'sandbox-agent/package.json')),
    inputs: async () => [(await unpackedPackage('busybox')).root, await nodeRuntime(), ...AGENT_BUILD_INPUTS, path.join(REPO_ROOT, 'package-lock.json')],
    async prepare() {
      // As sandbox-agent/Dockerfile: one bundle (dependencies included), its map and licences.
      buildAgentBundle();
      const app = new Rootfs();
      for (const file of AGENT_BUNDLE_FILES) app.add({ kind: 'file', from: path.join(REPO_ROOT, 'sandbox-agent', file), to: path.posix.join('/app', file) });
      return {
        layers: [await nodeLayer(), app],
        config: { entrypoint: ['/usr/local/bin/node', ...AGENT_NODE_ARGS, AGENT_IMAGE_ENTRY], env: ['NODE_ENV=production', 'PATH=/usr/local/bin:/usr/bin'], user: nonRoot(1000), workingDir: '/app', exposedPorts: [8002] },
      };
    },
  },
  nginx: {
    name: 'nginx',
    description: "Debian's nginx (uid 101 like the upstream image the chart defaults to)",
    hostPackages: ['nginx'],
    tag: () => debianTag('nginx'),
    inputs: async () => [(await unpackedPackage('busybox')).root, '/usr/sbin/nginx', '/etc/nginx/mime.types'],
    async prepare() {
      const layer = await withBusybox(new Rootfs());
      layer.elf('/usr/sbin/nginx').add({ kind: 'file', from: '/etc/nginx/mime.types', to: '/etc/nginx/mime.types' });
      for (const dir of ['/var/cache/nginx', '/var/log/nginx', '/var/lib/nginx']) layer.add({ kind: 'dir', to: dir, uid: 101, gid: 101 });
      layer.user({ name: 'nginx', uid: 101, gid: 101, home: '/var/cache/nginx' });
      return { layers: [layer], config: { cmd: ['nginx', '-g', 'daemon off;'], user: nonRoot(101), env: ['PATH=/usr/sbin:/usr/bin'], exposedPorts: [80] } };
    },
  },
  postgres: {
    name: 'postgres',
    description: "Debian's PostgreSQL with an entrypoint that initializes PGDATA from POSTGRES_* like the docker-library image (uid 70)",
    hostPackages: ['postgresql-15'],
    tag: () => debianTag('postgresql-15'),
    inputs: async () => [(await unpackedPackage('busybox')).root, '/usr/lib/postgresql/15', '/usr/lib/locale/C.utf8', path.join(HARNESS_DIR, 'images/postgres-entrypoint.sh')],
    async prepare() {
      const layer = await withBusybox(new Rootfs());
      // The LLVM JIT (llvmjit.so and its bitcode) would add libLLVM's 100 MB; postgres runs without it.
      for (const file of await packageFiles('postgresql-15')) {
        if (/\/llvmjit|\/bitcode\//.test(file)) continue;
        if (file.startsWith('/usr/lib/postgresql/') || file.startsWith('/usr/share/postgresql/')) layer.elf(file, file);
      }
      for (const file of await packageFiles('postgresql-client-15')) if (file.startsWith('/usr/lib/postgresql/')) layer.elf(file, file);
      layer.add({ kind: 'tree', from: '/usr/share/zoneinfo', to: '/usr/share/zoneinfo' });
      // glibc's C.UTF-8 locale (libc-bin), which initdb checks for the cluster's locale.
      layer.add({ kind: 'tree', from: '/usr/lib/locale/C.utf8', to: '/usr/lib/locale/C.utf8' });
      layer.content('/usr/local/bin/docker-entrypoint.sh', await readFile(path.join(HARNESS_DIR, 'images/postgres-entrypoint.sh'), 'utf8'), 0o755);
      layer.add({ kind: 'dir', to: '/var/lib/postgresql/data', uid: 70, gid: 70, mode: 0o700 }).add({ kind: 'dir', to: '/var/run/postgresql', uid: 70, gid: 70, mode: 0o2775 });
      layer.user({ name: 'postgres', uid: 70, gid: 70, home: '/var/lib/postgresql' });
      return {
        layers: [layer],
        config: {
          entrypoint: ['/usr/local/bin/docker-entrypoint.sh'],
          cmd: ['postgres'],
          user: nonRoot(70),
          env: ['PATH=/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/bin', 'PGDATA=/var/lib/postgresql/data', 'LANG=C.UTF-8'],
          exposedPorts: [5432],
        },
      };
    },
  },
  redis: {
    name: 'redis',
    description: "Debian's Redis server and CLI (uid 999)",
    hostPackages: ['redis-server', 'redis-tools'],
    tag: () => debianTag('redis-server'),
    inputs: async () => [(await unpackedPackage('busybox')).root, '/usr/bin/redis-server', '/usr/bin/redis-cli'],
    async prepare() {
      const layer = await withBusybox(new Rootfs());
      layer.elf('/usr/bin/redis-server', '/usr/bin/redis-server').elf('/usr/bin/redis-cli', '/usr/bin/redis-cli');
      layer.add({ kind: 'dir', to: '/data', uid: 999, gid: 999 }).user({ name: 'redis', uid: 999, gid: 999, home: '/data' });
      return { layers: [layer], config: { cmd: ['redis-server'], user: nonRoot(999), workingDir: '/data', exposedPorts: [6379] } };
    },
  },
  'deerflow-gateway': deerflowGatewayRecipe,
  'deerflow-frontend': deerflowFrontendRecipe,
  litellm: litellmRecipe,
};

/** Host packages every recipe in `names` reads, installed if missing. */
export async function ensureImageSources(names: readonly ImageName[]): Promise<void> {
  const pkgs = [...new Set(names.flatMap((name) => IMAGES[name].hostPackages))];
  if (pkgs.length > 0) await ensureSystemPackages(pkgs, `building the local images ${names.join(', ')}`);
}

export async function withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'antler-image-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

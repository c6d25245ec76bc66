// DeerFlow's web UI (the Next.js frontend) built from the pinned source the way its
// frontend/Dockerfile's builder stage builds it: pnpm at the version its package.json pins
// (`packageManager`, here from the npm registry through `npm pack`), `pnpm install
// --frozen-lockfile`, then `SKIP_ENV_VALIDATION=1 pnpm build` (frontend/Dockerfile:43-51). It runs
// on the Node runtime our images carry, so what is built is what runs. The result lives in the
// cache outside the repo, keyed by what it is made of; a warm run only reads its stamp.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../exec.js';
import { NODE_RUNTIME_VERSION, nodeRuntime } from '../images/node-runtime.js';
import { unpackNpmPackage } from '../npm-pack.js';
import { step } from '../progress.js';
import { cacheRoot } from '../tools.js';
import { copyTree } from '../images/rootfs.js';
import { DEERFLOW_COMMIT, deerflowSource } from './source.js';

/** frontend/package.json `packageManager: pnpm@10.26.2`. */
export const PNPM_VERSION = '10.26.2';
const PNPM_INTEGRITY = 'sha512-DjCP8gBfx0EDZvFU9iX2YxqysWsdLnAjhETdaunWMKhILZKkURRN68SSQWiW7Rb3sRSobsaLhASyRDhp5o/9pg==';

export interface FrontendBuild {
  /** The built frontend tree (source, node_modules, .next), what the image copies to /app/frontend. */
  dir: string;
  /** A file whose content names the build; its change means a new image. */
  stamp: string;
  pnpm: string;
  /** How long the install and the build took when this build was made. */
  timings: { installMs: number; buildMs: number };
}

/** pnpm's CLI (`bin/pnpm.cjs`), unpacked once into the tool cache. */
export async function pnpmCli(): Promise<string> {
  const dir = path.join(cacheRoot(), 'tools', 'pnpm', PNPM_VERSION);
  const cli = path.join(dir, 'bin', 'pnpm.cjs');
  if (!existsSync(cli)) await step('deerflow', `fetching pnpm ${PNPM_VERSION} (npm)`, () => unpackNpmPackage('pnpm', PNPM_VERSION, PNPM_INTEGRITY, dir));
  return cli;
}

async function pinnedPnpm(frontend: string): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(frontend, 'package.json'), 'utf8')) as { packageManager?: string };
  if (manifest.packageManager !== `pnpm@${PNPM_VERSION}`) {
    throw new Error(`DeerFlow's frontend/package.json asks for packageManager ${manifest.packageManager ?? '(none)'}, the harness pins pnpm@${PNPM_VERSION} (harness/deerflow/frontend.ts PNPM_VERSION)`);
  }
}

/** The frontend built from the pinned source (cached by commit, lock, pnpm and Node). */
export async function deerflowFrontend(): Promise<FrontendBuild> {
  const source = path.join(await deerflowSource(), 'frontend');
  await pinnedPnpm(source);
  const [node, pnpm] = [await nodeRuntime(), await pnpmCli()];
  const key = createHash('sha256')
    .update(JSON.stringify({ commit: DEERFLOW_COMMIT, pnpm: PNPM_VERSION, node: NODE_RUNTIME_VERSION }))
    .update(await readFile(path.join(source, 'pnpm-lock.yaml')))
    .digest('hex')
    .slice(0, 16);
  const root = path.join(cacheRoot(), 'deerflow', DEERFLOW_COMMIT, 'frontend');
  const dir = path.join(root, key);
  const stamp = path.join(dir, '.antler-built');
  if (!existsSync(stamp)) {
    const work = `${dir}.tmp-${process.pid}`;
    await rm(work, { recursive: true, force: true });
    await copyTree(source, work);
    const env = {
      // The image's node first on PATH: pnpm's scripts and next run on it.
      PATH: `${path.dirname(node)}:${process.env.PATH ?? ''}`,
      CI: '1',
      NEXT_TELEMETRY_DISABLED: '1',
      npm_config_store_dir: path.join(cacheRoot(), 'pnpm-store'),
      npm_config_update_notifier: 'false',
    };
    const timed = async (title: string, args: string[], extra: Record<string, string> = {}): Promise<number> => {
      const started = performance.now();
      await step('deerflow', title, () => run(node, [pnpm, ...args], { cwd: work, env: { ...env, ...extra }, timeoutMs: 1_800_000 }));
      return Math.round(performance.now() - started);
    };
    const installMs = await timed(`pnpm ${PNPM_VERSION} install --frozen-lockfile (DeerFlow frontend, npm registry)`, ['install', '--frozen-lockfile']);
    // frontend/Dockerfile:49-51: env validation is skipped, runtime values come from the Pod.
    const buildMs = await timed(`SKIP_ENV_VALIDATION=1 pnpm build (DeerFlow frontend, Next.js, Node ${NODE_RUNTIME_VERSION})`, ['build'], { SKIP_ENV_VALIDATION: '1' });
    await writeFile(path.join(work, '.antler-built'), JSON.stringify({ key, commit: DEERFLOW_COMMIT, pnpm: PNPM_VERSION, node: NODE_RUNTIME_VERSION, installMs, buildMs }));
    await rename(work, dir);
    // Older builds (another lock or pnpm) are superseded: keep one.
    for (const entry of await readdir(root)) if (entry !== key && !entry.includes('.tmp-')) await rm(path.join(root, entry), { recursive: true, force: true });
  }
  const built = JSON.parse(await readFile(stamp, 'utf8')) as { installMs: number; buildMs: number };
  return { dir, stamp, pnpm, timings: { installMs: built.installMs, buildMs: built.buildMs } };
}


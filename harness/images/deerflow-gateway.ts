// The DeerFlow gateway image, built from the pinned source the way DeerFlow's backend/Dockerfile
// builds its runtime stage (Python 3.12, the backend tree with a `uv sync`ed .venv at
// /app/backend/.venv, uv on PATH, its CMD), without a registry: the interpreter is the host's
// pyenv 3.12 relocated to /usr/local, the venv is the one `uv sync --frozen` made from DeerFlow's
// lock, re-pointed at that interpreter. Like upstream it carries no /app/skills and no USER.
import { lstat, mkdir, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEERFLOW_COMMIT, DEERFLOW_VERSION } from '../deerflow/source.js';
import { deerflowEnvironment } from '../deerflow/python.js';
import { withBusybox } from './busybox.js';
import type { ImageRecipe } from './catalog.js';
import { Rootfs, copyTree, sharedLibraries } from './rootfs.js';
import { unpackedPackage } from './debian.js';

const PY = 'python3.12';
/** Parts of a CPython install a server never imports. */
const STDLIB_EXCLUDE = /(^|\/)(test|tests|idlelib|tkinter|turtledemo|ensurepip|lib2to3|__pycache__|site-packages)(\/|$)|^(include|share|lib\/pkgconfig)(\/|$)/;
const BACKEND_EXCLUDE = /^(\.venv|tests|docs|\.pytest_cache|\.ruff_cache)(\/|$)|(^|\/)__pycache__(\/|$)/;

/** Every ELF shared object under `dir` (extension modules, bundled wheel libraries). */
async function sharedObjects(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && /\.so(\.|$)/.test(entry.name)) found.push(full);
    }
  };
  await walk(dir);
  return found;
}

/** Host libraries the given ELF files need, minus those the image carries itself. */
async function systemLibraries(files: string[], own: (lib: string) => boolean): Promise<string[]> {
  const bundled = new Set(files.map((file) => path.basename(file)));
  const libs = new Set<string>();
  for (const file of files) for (const lib of await sharedLibraries(file, (name) => bundled.has(name))) if (!own(lib)) libs.add(lib);
  return [...libs].sort();
}

/** Copies the venv and points it at the image's interpreter and its own location. */
async function relocatedVenv(hostVenv: string, into: string, imageVenv: string, imagePython: string): Promise<void> {
  await copyTree(hostVenv, into);
  const cfg = await readFile(path.join(into, 'pyvenv.cfg'), 'utf8');
  await writeFile(path.join(into, 'pyvenv.cfg'), cfg.replace(/^home = .*$/m, `home = ${path.dirname(imagePython)}`));
  await rm(path.join(into, 'bin', 'python'), { force: true });
  await symlink(imagePython, path.join(into, 'bin', 'python'));
  for (const name of await readdir(path.join(into, 'bin'))) {
    const file = path.join(into, 'bin', name);
    if (!(await lstat(file)).isFile()) continue;
    const text = await readFile(file);
    const shebang = `#!${hostVenv}/bin/python`;
    if (text.subarray(0, shebang.length).toString() === shebang) {
      await writeFile(file, `#!${imageVenv}/bin/python${text.subarray(shebang.length).toString()}`);
    }
  }
}

export const deerflowGatewayRecipe: ImageRecipe = {
  name: 'deerflow-gateway',
  description: `DeerFlow ${DEERFLOW_VERSION} gateway from the pinned source (${DEERFLOW_COMMIT.slice(0, 9)}), built like its backend/Dockerfile`,
  hostPackages: [],
  tag: async () => `${DEERFLOW_VERSION}-${DEERFLOW_COMMIT.slice(0, 9)}`,
  async inputs() {
    const env = await deerflowEnvironment();
    return [(await unpackedPackage('busybox')).root, path.join(env.venv, '.antler-synced'), path.join(env.backend, 'app'), path.join(env.backend, 'packages'), env.uv, path.dirname(path.dirname(await realInterpreter(env.venv)))];
  },
  async prepare(scratch) {
    const env = await deerflowEnvironment();
    const pythonHome = path.dirname(path.dirname(await realInterpreter(env.venv)));
    // Layer 1: the interpreter at /usr/local, with the system libraries it and its stdlib load.
    const runtime = await withBusybox(new Rootfs());
    runtime.add({ kind: 'tree', from: pythonHome, to: '/usr/local', exclude: (rel) => STDLIB_EXCLUDE.test(rel) || (rel.startsWith('bin/') && rel !== `bin/${PY}`) });
    runtime.add({ kind: 'symlink', to: '/usr/local/bin/python3', target: PY }).add({ kind: 'symlink', to: '/usr/local/bin/python', target: PY });
    const ownLib = (lib: string) => lib.startsWith(pythonHome);
    for (const lib of await systemLibraries([path.join(pythonHome, 'bin', PY), ...(await sharedObjects(path.join(pythonHome, 'lib', PY, 'lib-dynload')))], ownLib)) runtime.elf(lib);
    runtime.add({ kind: 'file', from: '/etc/ssl/certs/ca-certificates.crt', to: '/etc/ssl/certs/ca-certificates.crt' });
    runtime.add({ kind: 'file', from: env.uv, to: '/usr/local/bin/uv', mode: 0o755 });
    // Layer 2: the locked dependencies (the big, rarely changing part).
    const venvCopy = path.join(scratch, 'venv');
    await mkdir(scratch, { recursive: true });
    await relocatedVenv(env.venv, venvCopy, '/app/backend/.venv', `/usr/local/bin/${PY}`);
    const deps = new Rootfs().add({ kind: 'tree', from: venvCopy, to: '/app/backend/.venv' });
    const venvLibs = (lib: string) => ownLib(lib) || lib.startsWith(env.venv);
    for (const lib of await systemLibraries(await sharedObjects(path.join(env.venv, 'lib')), venvLibs)) deps.elf(lib);
    // Layer 3: the backend's source (what `COPY backend ./backend` brings, minus tests and caches).
    const app = new Rootfs().add({ kind: 'tree', from: env.backend, to: '/app/backend', exclude: (rel) => BACKEND_EXCLUDE.test(rel) });
    return {
      layers: [runtime, deps, app],
      config: {
        // backend/Dockerfile's runtime CMD, as the image ships it.
        cmd: ['sh', '-c', 'cd backend && PYTHONPATH=. uv run --no-sync uvicorn app.gateway.app:app --host 0.0.0.0 --port 8001'],
        workingDir: '/app',
        env: ['LANG=C.UTF-8', 'LC_ALL=C.UTF-8', 'PYTHONIOENCODING=utf-8', 'LD_LIBRARY_PATH=/usr/local/lib', 'PATH=/app/backend/.venv/bin:/usr/local/bin:/usr/bin:/usr/sbin'],
        exposedPorts: [8001],
      },
    };
  },
};

/** The interpreter the venv was made with (its `bin/python` link, resolved). */
function realInterpreter(venv: string): Promise<string> {
  return realpath(path.join(venv, 'bin', 'python'));
}


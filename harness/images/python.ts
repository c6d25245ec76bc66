// Building blocks of the Python images (the DeerFlow gateway, the LiteLLM proxy), without a
// registry: the host's Python 3.12 (pyenv) relocated to /usr/local with the system libraries it
// loads, and a host venv copied to its place in the image and re-pointed at that interpreter.
// Both images take the same interpreter layer, so containerd stores it once.
import { lstat, mkdir, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../exec.js';
import { withBusybox } from './busybox.js';
import { Rootfs, copyTree, sharedLibraries } from './rootfs.js';

export const PY = 'python3.12';
/** The interpreter inside the images. */
export const IMAGE_PYTHON = `/usr/local/bin/${PY}`;
/** Environment every Python image sets (the relocated interpreter links libpython from /usr/local/lib). */
export const PYTHON_IMAGE_ENV: readonly string[] = ['LANG=C.UTF-8', 'LC_ALL=C.UTF-8', 'PYTHONIOENCODING=utf-8', 'LD_LIBRARY_PATH=/usr/local/lib'];

/** Parts of a CPython install a server never imports. */
const STDLIB_EXCLUDE = /(^|\/)(test|tests|idlelib|tkinter|turtledemo|ensurepip|lib2to3|__pycache__|site-packages)(\/|$)|^(include|share|lib\/pkgconfig)(\/|$)/;

const COMPILE_ALL = [
  'import compileall, py_compile, sys',
  'compileall.compile_dir(sys.argv[1], quiet=2, force=True, workers=0, stripdir=sys.argv[2], prependdir=sys.argv[3],',
  '                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)',
].join('\n');

/** The installation the venv was made from (`<home>/bin/python3.12` is its interpreter). */
export async function interpreterHome(venv: string): Promise<string> {
  return path.dirname(path.dirname(await realpath(path.join(venv, 'bin', 'python'))));
}

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

/**
 * The interpreter layer: busybox, `pythonHome` at /usr/local (the stdlib without tests, GUI and
 * bytecode caches; only the versioned binary, plus python3/python links), the system libraries it
 * and its extension modules load, and the CA bundle.
 */
export async function pythonRuntimeLayer(pythonHome: string): Promise<Rootfs> {
  const runtime = await withBusybox(new Rootfs());
  runtime.add({ kind: 'tree', from: pythonHome, to: '/usr/local', exclude: (rel) => STDLIB_EXCLUDE.test(rel) || (rel.startsWith('bin/') && rel !== `bin/${PY}`) });
  runtime.add({ kind: 'symlink', to: '/usr/local/bin/python3', target: PY }).add({ kind: 'symlink', to: '/usr/local/bin/python', target: PY });
  const ownLib = (lib: string) => lib.startsWith(pythonHome);
  for (const lib of await systemLibraries([path.join(pythonHome, 'bin', PY), ...(await sharedObjects(path.join(pythonHome, 'lib', PY, 'lib-dynload')))], ownLib)) runtime.elf(lib);
  runtime.add({ kind: 'file', from: '/etc/ssl/certs/ca-certificates.crt', to: '/etc/ssl/certs/ca-certificates.crt' });
  return runtime;
}

export interface VenvLayerOptions {
  hostVenv: string;
  /** Where the venv lives in the image. */
  imageVenv: string;
  /** The installation `hostVenv` was made from (`interpreterHome`). */
  pythonHome: string;
  /** A scratch directory for the relocated copy. */
  scratch: string;
  /** Paths relative to the venv left out of the image. */
  exclude?: (relative: string) => boolean;
  /**
   * Compile every module to bytecode that is used without checking its source
   * (`--invalidation-mode unchecked-hash`). Image layers carry mtime 0, so timestamp-checked
   * caches never match; on a read-only root filesystem Python would then compile every import at
   * every start.
   */
  bytecode?: boolean;
}

/** Copies the venv, points it at the image's interpreter and its own location, and lays it out with the system libraries its extension modules load. */
export async function venvLayer(o: VenvLayerOptions): Promise<Rootfs> {
  const copy = path.join(o.scratch, 'venv');
  await mkdir(o.scratch, { recursive: true });
  await copyTree(o.hostVenv, copy, o.exclude);
  const cfg = await readFile(path.join(copy, 'pyvenv.cfg'), 'utf8');
  await writeFile(path.join(copy, 'pyvenv.cfg'), cfg.replace(/^home = .*$/m, `home = ${path.dirname(IMAGE_PYTHON)}`));
  await rm(path.join(copy, 'bin', 'python'), { force: true });
  await symlink(IMAGE_PYTHON, path.join(copy, 'bin', 'python'));
  const shebang = `#!${o.hostVenv}/bin/python`;
  for (const name of await readdir(path.join(copy, 'bin'))) {
    const file = path.join(copy, 'bin', name);
    if (!(await lstat(file)).isFile()) continue;
    const text = await readFile(file);
    if (text.subarray(0, shebang.length).toString() === shebang) await writeFile(file, `#!${o.imageVenv}/bin/python${text.subarray(shebang.length).toString()}`);
  }
  if (o.bytecode) {
    // The host's interpreter is the image's (same installation); names in the bytecode are the
    // image's paths. A file that does not compile (fixtures, other Python versions' code) cannot be
    // imported either, so it is left without bytecode rather than failing the build.
    await run(path.join(o.pythonHome, 'bin', PY), ['-c', COMPILE_ALL, path.join(copy, 'lib'), copy, o.imageVenv], { timeoutMs: 1_200_000 });
  }
  const layer = new Rootfs().add({ kind: 'tree', from: copy, to: o.imageVenv });
  const own = (lib: string) => lib.startsWith(o.pythonHome) || lib.startsWith(o.hostVenv);
  for (const lib of await systemLibraries(await sharedObjects(path.join(o.hostVenv, 'lib')), own)) layer.elf(lib);
  return layer;
}

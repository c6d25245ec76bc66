// DeerFlow's Python environment: the interpreter its lock asks for (3.12; pyenv provides it on
// these machines), uv from PyPI pinned by version and wheel hash, and `uv sync --frozen` of the
// gateway's runtime dependencies (no dev group; the postgres and redis extras the chart uses),
// cached next to the unpacked source. uv never downloads an interpreter here.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run, succeeds } from '../exec.js';
import { step } from '../progress.js';
import { cacheRoot } from '../tools.js';
import { deerflowSource } from './source.js';

/** uv as DeerFlow's backend/Dockerfile pins it (`ghcr.io/astral-sh/uv:0.11.1`), from PyPI instead. */
export const UV_VERSION = '0.11.1';
const UV_WHEEL = `uv-${UV_VERSION}-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`;
const UV_WHEEL_SHA256 = '41ccc438dbb905240a3630265feb25be1bda61656ec7c32682a83648a686f4aa';
/** The extras the chart's gateway needs (Postgres checkpointer and store, Redis bridge and leases). */
export const GATEWAY_EXTRAS = ['postgres', 'redis'];
export const PYTHON_VERSION = '3.12';

async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** The uv binary, extracted from its PyPI wheel (hash-checked) into the cache. */
export async function uvBinary(): Promise<string> {
  const dir = path.join(cacheRoot(), 'tools', 'uv', UV_VERSION);
  const binary = path.join(dir, 'uv');
  if (existsSync(binary)) return binary;
  await step('deerflow', `fetching uv ${UV_VERSION} from PyPI`, async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'antler-uv-'));
    try {
      await run('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--dest', work, `uv==${UV_VERSION}`], { timeoutMs: 300_000 });
      const wheel = path.join(work, UV_WHEEL);
      if (!existsSync(wheel)) throw new Error(`pip downloaded no ${UV_WHEEL}`);
      const digest = await sha256File(wheel);
      if (digest !== UV_WHEEL_SHA256) throw new Error(`${UV_WHEEL}: sha256 ${digest}, expected ${UV_WHEEL_SHA256}`);
      await run('python3', ['-m', 'zipfile', '-e', wheel, path.join(work, 'x')]);
      const data = (await readdir(path.join(work, 'x'))).find((entry) => entry.endsWith('.data'));
      if (!data) throw new Error(`${UV_WHEEL} has no .data directory`);
      await mkdir(dir, { recursive: true });
      await chmod(path.join(work, 'x', data, 'scripts', 'uv'), 0o755);
      await rename(path.join(work, 'x', data, 'scripts', 'uv'), binary);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
  return binary;
}

/** A Python 3.12 interpreter: ANTLER_PYTHON312, pyenv's 3.12.x, or python3.12 on PATH. */
export async function python312(): Promise<string> {
  const candidates = [process.env.ANTLER_PYTHON312, ...(await pyenvPythons()), 'python3.12'].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    if (await succeeds(candidate, ['-c', 'import sys; assert sys.version_info[:2] == (3, 12)'])) {
      return (await run(candidate, ['-c', 'import sys; print(sys.executable)'])).stdout.trim();
    }
  }
  throw new Error(`DeerFlow needs Python ${PYTHON_VERSION} (backend/pyproject.toml); none found. Fix one of: set ANTLER_PYTHON312 to a python3.12; \`pyenv install 3.12\`; or apt/your package manager's python3.12.`);
}

async function pyenvPythons(): Promise<string[]> {
  const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  const versions = await readdir(path.join(root, 'versions')).catch(() => [] as string[]);
  return versions.filter((v) => v.startsWith(`${PYTHON_VERSION}.`)).sort().reverse().map((v) => path.join(root, 'versions', v, 'bin', `python${PYTHON_VERSION}`));
}

export interface DeerflowEnvironment {
  source: string;
  backend: string;
  venv: string;
  python: string;
  uv: string;
}

/**
 * The synced gateway environment (`<source>/backend/.venv`). `uv sync --frozen` installs exactly
 * the lock; a stamp records what was synced so a warm run skips it.
 */
export async function deerflowEnvironment(): Promise<DeerflowEnvironment> {
  const source = await deerflowSource();
  const backend = path.join(source, 'backend');
  const venv = path.join(backend, '.venv');
  const uv = await uvBinary();
  const python = await python312();
  const stamp = path.join(venv, '.antler-synced');
  const want = JSON.stringify({ uv: UV_VERSION, python, extras: GATEWAY_EXTRAS, lock: await sha256File(path.join(backend, 'uv.lock')) });
  if ((await readFile(stamp, 'utf8').catch(() => '')) !== want) {
    await step('deerflow', `uv sync --frozen (DeerFlow backend, extras ${GATEWAY_EXTRAS.join(', ')}, Python ${PYTHON_VERSION}) from PyPI`, async () => {
      await run(uv, ['sync', '--frozen', '--no-dev', '--no-install-project', '--no-editable', ...GATEWAY_EXTRAS.flatMap((e) => ['--extra', e]), '--python', python], {
        cwd: backend,
        env: { UV_PYTHON_DOWNLOADS: 'never', UV_CACHE_DIR: path.join(cacheRoot(), 'uv-cache'), UV_LINK_MODE: 'copy', UV_NO_PROGRESS: '1' },
        timeoutMs: 1_800_000,
      });
      await writeFile(stamp, want);
    });
  }
  return { source, backend, venv, python: path.join(venv, 'bin', 'python'), uv };
}

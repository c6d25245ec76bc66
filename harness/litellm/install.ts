// The LiteLLM proxy as a host program: `requirements.txt` (hash-pinned, generated from
// requirements.in by `uv pip compile --generate-hashes` for CPython 3.12 on x86_64 manylinux) is
// installed with `--require-hashes --no-deps` into a venv under the cache, keyed by the lock's
// hash, with the same uv and Python 3.12 the DeerFlow environment uses (deerflow/python.ts).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { python312, uvBinary } from '../deerflow/python.js';
import { run } from '../exec.js';
import { step } from '../progress.js';
import { cacheRoot } from '../tools.js';
import { LITELLM_VERSION, assertPinnedLitellm } from './version.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const LOCK_INPUT = path.join(HERE, 'requirements.in');
export const LOCK = path.join(HERE, 'requirements.txt');
/** The platform the lock is resolved for (the hosts and the image recipe). */
const LOCK_PLATFORM = ['--python-version', '3.12', '--python-platform', 'x86_64-manylinux_2_28'];

/** The stamp a finished install leaves in its venv. */
export const INSTALL_STAMP = '.antler-installed';

const uvEnv = (): Record<string, string> => ({ UV_PYTHON_DOWNLOADS: 'never', UV_CACHE_DIR: path.join(cacheRoot(), 'uv-cache'), UV_NO_PROGRESS: '1' });

/**
 * Checks a lock's text: every requirement is `name==version` with at least one `--hash`, and the
 * litellm line is exactly the pinned release (a compromised one is named as such).
 */
export function checkLock(text: string, where = LOCK): void {
  const entries = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (entries.length === 0) throw new Error(`${where}: no requirements`);
  let litellm: string | undefined;
  for (const entry of entries) {
    const m = /^([A-Za-z0-9._-]+)(\[[^\]]*\])?==([^\s;]+)/.exec(entry);
    if (!m) throw new Error(`${where}: "${entry.slice(0, 80)}" is not pinned with ==`);
    if (!/--hash=sha256:[0-9a-f]{64}/.test(entry)) throw new Error(`${where}: ${m[1]}==${m[3]} has no --hash`);
    if (m[1]!.toLowerCase() === 'litellm') litellm = m[3];
  }
  if (litellm === undefined) throw new Error(`${where}: no litellm requirement`);
  assertPinnedLitellm(litellm, where);
}

/** Regenerates requirements.txt from requirements.in (needs PyPI). */
export async function compileLock(): Promise<void> {
  const uv = await uvBinary();
  const input = await readFile(LOCK_INPUT, 'utf8');
  const spec = /^litellm\[proxy\]==(\S+)$/m.exec(input)?.[1];
  assertPinnedLitellm(spec ?? '(none)', LOCK_INPUT);
  await step('litellm', `uv pip compile --generate-hashes (litellm[proxy]==${LITELLM_VERSION}, Python 3.12)`, () =>
    run(uv, ['pip', 'compile', '--quiet', '--generate-hashes', ...LOCK_PLATFORM, '--custom-compile-command', 'tsx harness/litellm-cli.ts lock', LOCK_INPUT, '-o', LOCK], { env: uvEnv(), timeoutMs: 600_000 }));
  checkLock(await readFile(LOCK, 'utf8'));
}

export interface LitellmEnvironment {
  readonly venv: string;
  /** The proxy's entry point (`<venv>/bin/litellm`). */
  readonly litellm: string;
  readonly python: string;
  readonly version: string;
  /** The first 16 hex digits of the lock's sha256: names the install and the image tag. */
  readonly lockDigest: string;
}

/** The installed proxy; installs it on first use (a cold install fetches the wheels from PyPI). */
export async function litellmEnvironment(): Promise<LitellmEnvironment> {
  const lock = await readFile(LOCK, 'utf8');
  checkLock(lock);
  const digest = createHash('sha256').update(lock).digest('hex').slice(0, 16);
  const venv = path.join(cacheRoot(), 'litellm', `${LITELLM_VERSION}-${digest}`);
  const env: LitellmEnvironment = { venv, litellm: path.join(venv, 'bin', 'litellm'), python: path.join(venv, 'bin', 'python'), version: LITELLM_VERSION, lockDigest: digest };
  const stamp = path.join(venv, INSTALL_STAMP);
  if (existsSync(stamp) && existsSync(env.litellm)) return env;
  const uv = await uvBinary();
  const python = await python312();
  await step('litellm', `pip install --require-hashes litellm[proxy]==${LITELLM_VERSION} into ${venv}`, async () => {
    // A venv records its own path, so it is built in place; no stamp means start over.
    await rm(venv, { recursive: true, force: true });
    await mkdir(path.dirname(venv), { recursive: true });
    await run(uv, ['venv', '--quiet', '--python', python, venv], { env: uvEnv(), timeoutMs: 120_000 });
    await run(uv, ['pip', 'install', '--quiet', '--require-hashes', '--no-deps', '--only-binary', ':all:', '--python', env.python, '-r', LOCK], {
      env: { ...uvEnv(), UV_LINK_MODE: 'copy' },
      timeoutMs: 1_200_000,
    });
    const installed = (await run(env.python, ['-c', 'import importlib.metadata as m; print(m.version("litellm"))'])).stdout.trim();
    assertPinnedLitellm(installed, `${venv} (installed)`);
    await writeFile(stamp, `${LITELLM_VERSION} ${digest}\n`);
  });
  return env;
}

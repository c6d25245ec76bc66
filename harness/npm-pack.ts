// One package tarball from the npm registry through npm's own client (`npm pack`), checked against
// the sha512 integrity this repo pins for it, then unpacked: how the harness takes single programs
// from npm (the Node runtime of the images, pnpm for DeerFlow's frontend) without a lockfile.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from './exec.js';

/**
 * Packs `name@version`, verifies its integrity and moves its `package/` directory (or the single
 * member `only` inside it) to `dest`. `dest` appears only complete (a rename from a temp dir).
 */
export async function unpackNpmPackage(name: string, version: string, integrity: string, dest: string, only?: string): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'antler-npm-'));
  try {
    await run('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', work], { timeoutMs: 600_000 });
    const [tarball] = (await readdir(work)).filter((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${name}@${version} wrote no tarball`);
    const actual = `sha512-${createHash('sha512').update(await readFile(path.join(work, tarball))).digest('base64')}`;
    if (actual !== integrity) throw new Error(`${name}@${version}: integrity ${actual}, expected ${integrity}`);
    await run('tar', ['-xzf', path.join(work, tarball), '-C', work, ...(only ? [`package/${only}`] : [])]);
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(path.join(work, 'package', only ?? ''), dest);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

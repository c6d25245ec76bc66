// Debian packages as image sources: files of an installed package (`dpkg -L`), and a package
// fetched with `apt-get download` and unpacked into the cache without installing it on the host
// (busybox: the dynamic build, whose wget resolves names in a Pod; it conflicts with the host's
// own busybox-static if one is installed).
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../exec.js';
import { packageVersion } from '../system-packages.js';
import { cacheRoot } from '../tools.js';

/** Regular files and symlinks an installed package owns (docs and man pages left out). */
export async function packageFiles(pkg: string): Promise<string[]> {
  const { stdout } = await run('dpkg', ['-L', pkg]);
  const files: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line || line === '/.' || /^\/usr\/share\/(doc|man|lintian|bug)\//.test(line)) continue;
    const info = await lstat(line).catch(() => undefined);
    if (info && !info.isDirectory()) files.push(line);
  }
  return files;
}

/** A Debian package unpacked (not installed) under the cache; returns the unpacked root. */
export async function unpackedPackage(pkg: string): Promise<{ root: string; version: string }> {
  const { stdout } = await run('apt-cache', ['policy', pkg]);
  const version = /Candidate:\s*(\S+)/.exec(stdout)?.[1];
  if (!version || version === '(none)') throw new Error(`Debian package ${pkg} is not available from apt (run apt-get update?)`);
  const root = path.join(cacheRoot(), 'debs', pkg, version.replace(/[^A-Za-z0-9.+~-]/g, '_'));
  if (existsSync(path.join(root, '.complete'))) return { root, version };
  const work = await mkdtemp(path.join(os.tmpdir(), `antler-deb-${pkg}-`));
  try {
    await run('apt-get', ['download', `${pkg}=${version}`], { cwd: work, timeoutMs: 300_000 });
    const deb = (await readdir(work)).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} wrote no .deb`);
    const tmpRoot = path.join(work, 'root');
    await run('dpkg-deb', ['-x', path.join(work, deb), tmpRoot]);
    await run('touch', [path.join(tmpRoot, '.complete')]);
    await mkdir(path.dirname(root), { recursive: true });
    await rm(root, { recursive: true, force: true });
    await rename(tmpRoot, root);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { root, version };
}

/** An image tag from a Debian version (`1:1.35.0-4+deb12u1` → `1.35.0-4_deb12u1`). */
export async function debianTag(pkg: string): Promise<string> {
  const version = (await packageVersion(pkg)) ?? (await unpackedPackage(pkg)).version;
  return version.replace(/^\d+:/, '').replace(/[^A-Za-z0-9_.-]/g, '_');
}

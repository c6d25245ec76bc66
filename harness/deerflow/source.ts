// DeerFlow's pinned source, resolved like a tool: `ANTLER_DEERFLOW_SRC` (a tarball or an extracted
// tree) → the cache outside the repo → on networked machines the pinned commit's archive from
// GitHub, verified → an error naming the three fixes. The source is test input: it is read and
// run, never copied into this repository.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../exec.js';
import { step } from '../progress.js';
import { cacheRoot } from '../tools.js';

/** bytedance/deer-flow at the commit the chart's appVersion (2.1.0) is built from. */
export const DEERFLOW_COMMIT = 'f1f4af99bbf1cffb83a80744bf6e4a44ee8f24be';
/** sha256 of the source tarball the project pins (top-level directory `deer-flow/`). */
export const DEERFLOW_TARBALL_SHA256 = 'ab698ac544525679d204c9a51f82d5c7dc2eec6ad2339b55b2eb19ce551dc360';
export const DEERFLOW_VERSION = '2.1.0';
const GITHUB_ARCHIVE = `https://codeload.github.com/bytedance/deer-flow/tar.gz/${DEERFLOW_COMMIT}`;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A DeerFlow tree has these; a wrong override fails here, not deep inside a test. */
function assertTree(dir: string, origin: string): string {
  for (const part of ['backend/pyproject.toml', 'backend/uv.lock', 'backend/app/gateway/app.py', 'frontend/package.json', 'skills']) {
    if (!existsSync(path.join(dir, part))) throw new Error(`${origin}: ${dir} is not a DeerFlow source tree (no ${part})`);
  }
  return dir;
}

async function extract(tarball: string, dest: string, expectedSha: string | undefined): Promise<void> {
  if (expectedSha) {
    const actual = await sha256File(tarball);
    if (actual !== expectedSha) throw new Error(`DeerFlow source ${tarball}: sha256 ${actual}, expected ${expectedSha}`);
  }
  const work = await mkdtemp(path.join(os.tmpdir(), 'antler-deerflow-'));
  try {
    await run('tar', ['-xzf', tarball, '-C', work]);
    const [top] = await readdir(work);
    if (!top) throw new Error(`DeerFlow source ${tarball} is empty`);
    assertTree(path.join(work, top), tarball);
    await writeFile(path.join(work, top, '.antler-source'), `${DEERFLOW_COMMIT}\n`);
    await mkdir(path.dirname(dest), { recursive: true });
    await rm(dest, { recursive: true, force: true });
    await rename(path.join(work, top), dest);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The DeerFlow source tree (read-only use; the Python environment lives next to it). A tarball
 * override must match the pinned sha256; a tree override is used as it is.
 */
export async function deerflowSource(): Promise<string> {
  const override = process.env.ANTLER_DEERFLOW_SRC;
  const cached = path.join(cacheRoot(), 'deerflow', DEERFLOW_COMMIT, 'src');
  if (override) {
    const info = await stat(override).catch(() => undefined);
    if (!info) throw new Error(`ANTLER_DEERFLOW_SRC=${override} does not exist`);
    if (info.isDirectory()) return assertTree(path.resolve(override), 'ANTLER_DEERFLOW_SRC');
    if (existsSync(path.join(cached, '.antler-source'))) return cached;
    await step('deerflow', `unpacking DeerFlow ${DEERFLOW_COMMIT.slice(0, 9)} from ${override}`, () => extract(override, cached, DEERFLOW_TARBALL_SHA256));
    return cached;
  }
  if (existsSync(path.join(cached, '.antler-source'))) return cached;
  const reasons: string[] = [];
  if (process.env.ANTLER_NO_DOWNLOAD !== '1') {
    try {
      await step('deerflow', `downloading DeerFlow ${DEERFLOW_COMMIT.slice(0, 9)} from GitHub`, async () => {
        const response = await fetch(GITHUB_ARCHIVE, { redirect: 'follow' });
        if (!response.ok) throw new Error(`GET ${GITHUB_ARCHIVE}: HTTP ${response.status}`);
        const file = path.join(os.tmpdir(), `antler-deerflow-${process.pid}.tar.gz`);
        await writeFile(file, Buffer.from(await response.arrayBuffer()));
        try {
          // `git archive` (which GitHub serves) records the commit in the tar's pax header.
          const { stdout } = await run('sh', ['-c', `gzip -dc "${file}" | git get-tar-commit-id`]);
          if (stdout.trim() !== DEERFLOW_COMMIT) throw new Error(`the archive is of commit "${stdout.trim()}", expected ${DEERFLOW_COMMIT}`);
          await extract(file, cached, undefined);
        } finally {
          await rm(file, { force: true });
        }
      });
      return cached;
    } catch (error) {
      reasons.push(`download failed: ${(error as Error).message}`);
    }
  } else {
    reasons.push('downloads are off (ANTLER_NO_DOWNLOAD=1)');
  }
  throw new Error([
    `DeerFlow ${DEERFLOW_VERSION} (commit ${DEERFLOW_COMMIT}) source is not available.`,
    ...reasons.map((reason) => `  - ${reason}`),
    'Fix one of:',
    `  - point ANTLER_DEERFLOW_SRC at the pinned source tarball (sha256 ${DEERFLOW_TARBALL_SHA256}) or an extracted tree;`,
    `  - put an extracted tree at ${cached} (with a .antler-source file);`,
    '  - allow HTTPS access to codeload.github.com for the pinned commit.',
  ].join('\n'));
}

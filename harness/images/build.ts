// Builds catalog images into cached OCI archives and imports them into the real node's containerd.
// An archive is rebuilt only when its inputs' fingerprint changes (host files by size and mtime,
// the builder and recipe modules by content); an import is skipped when containerd already has that digest.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../exec.js';
import { step } from '../progress.js';
import { cacheRoot } from '../tools.js';
import { IMAGE_PREFIX, IMAGES, type ImageName, ensureImageSources, withScratch } from './catalog.js';
import { type BuiltImage, writeOciArchive } from './oci.js';
import { treeStamp } from './rootfs.js';

const IMAGES_DIR = path.dirname(fileURLToPath(import.meta.url));

/**
 * The content of the builder and recipe modules (everything in harness/images): a change to one
 * rebuilds every image. By content, not by the recipe function's text, which differs between
 * the tsx and the vitest transforms and made each side rebuild what the other had just built.
 */
async function builderSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(IMAGES_DIR)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) {
    hash.update(file).update(await readFile(path.join(IMAGES_DIR, file)));
  }
  return hash.digest('hex');
}

/** Bump to invalidate every cached archive when the builder's output format changes. */
const BUILDER_VERSION = '1';

export function imageReference(image: BuiltImage): string {
  return `${image.repository}:${image.tag}@${image.digest}`;
}

export async function buildImage(name: ImageName): Promise<BuiltImage> {
  const recipe = IMAGES[name];
  await ensureImageSources([name]);
  const tag = await recipe.tag();
  const repository = `${IMAGE_PREFIX}/${name}`;
  const dir = path.join(cacheRoot(), 'images', name);
  // What the image is made of: the recipe's own code, the builder's code, and the recipe's inputs.
  const hash = createHash('sha256').update(BUILDER_VERSION).update(name).update(tag).update(await builderSourceHash());
  for (const input of await recipe.inputs()) hash.update(await treeStamp(input));
  const key = hash.digest('hex').slice(0, 16);
  const metaFile = path.join(dir, `${key}.json`);
  if (existsSync(metaFile)) {
    const cached = JSON.parse(await readFile(metaFile, 'utf8')) as BuiltImage;
    if (existsSync(cached.archive)) return cached;
  }
  return withScratch(async (scratch) => {
    return step('images', `building ${repository}:${tag}`, async () => {
      const { layers, config } = await recipe.prepare(scratch);
      const layerDirs: string[] = [];
      for (const [index, layer] of layers.entries()) {
        const layerDir = path.join(scratch, `layer-${index}`);
        await layer.materialize(layerDir);
        layerDirs.push(layerDir);
      }
      await mkdir(dir, { recursive: true });
      const built = await writeOciArchive({ repository, tag, layers: layerDirs, config, outFile: path.join(dir, `${key}.tar`) });
      // Older archives of this image are superseded: keep the cache to one per image.
      for (const file of await readdir(dir)) if (!file.startsWith(key)) await rm(path.join(dir, file), { force: true });
      await writeFile(metaFile, JSON.stringify(built, null, 2));
      return built;
    });
  });
}

/** `ctr` against the real node's containerd, in the namespace the CRI plugin uses. */
export interface Ctr {
  binary: string;
  address: string;
}

/** Runs `ctr` with `args` in that namespace; its stdout. */
export async function ctr(c: Ctr, args: string[]): Promise<string> {
  return (await run(c.binary, ['--address', c.address, '--namespace', 'k8s.io', ...args], { timeoutMs: 600_000 })).stdout;
}

/** Imports the archive unless containerd already holds the image at this digest. */
export async function importImage(c: Ctr, image: BuiltImage): Promise<boolean> {
  const listed = await ctr(c, ['images', 'ls', `name==${image.repository}:${image.tag}`]);
  if (listed.includes(image.digest)) return false;
  await step('images', `importing ${image.repository}:${image.tag} into containerd`, () => ctr(c, ['images', 'import', '--platform', 'linux/amd64', image.archive]));
  return true;
}

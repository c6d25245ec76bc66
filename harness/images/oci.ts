// OCI image archives from directory trees, without a container engine or registry: one
// uncompressed tar layer per tree, a config, a manifest and an index that names the image twice
// (by tag and by manifest digest), so a Pod can reference `repo:tag@sha256:…` and the kubelet finds
// it in containerd with `imagePullPolicy: Never`.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../exec.js';

export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  /** `uid:gid`, numeric so the kubelet can check runAsNonRoot. */
  user?: string;
  workingDir?: string;
  exposedPorts?: number[];
  labels?: Record<string, string>;
}

export interface BuiltImage {
  /** `localhost/antler/<name>` */
  repository: string;
  tag: string;
  /** sha256 of the manifest: the image digest. */
  digest: string;
  archive: string;
  sizeBytes: number;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Writes an OCI image-layout archive of `layers` (directories, bottom first) to `outFile`. */
export async function writeOciArchive(options: { repository: string; tag: string; layers: string[]; config: ImageConfig; outFile: string }): Promise<BuiltImage> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'antler-oci-'));
  try {
    const blobs = path.join(work, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const layerDescriptors: { mediaType: string; digest: string; size: number }[] = [];
    for (const layer of options.layers) {
      const tarFile = path.join(work, 'layer.tar');
      // Deterministic: sorted names, fixed mtime, numeric owners as laid out (we are root).
      await run('tar', ['--sort=name', '--numeric-owner', '--mtime=@0', '--xattrs', '-C', layer, '-cf', tarFile, '.']);
      const digest = await sha256File(tarFile);
      const size = (await stat(tarFile)).size;
      await rename(tarFile, path.join(blobs, digest));
      layerDescriptors.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${digest}`, size });
    }
    const c = options.config;
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        ...(c.user ? { User: c.user } : {}),
        ...(c.env ? { Env: c.env } : {}),
        ...(c.entrypoint ? { Entrypoint: c.entrypoint } : {}),
        ...(c.cmd ? { Cmd: c.cmd } : {}),
        ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
        ...(c.exposedPorts ? { ExposedPorts: Object.fromEntries(c.exposedPorts.map((p) => [`${p}/tcp`, {}])) } : {}),
        Labels: { 'org.opencontainers.image.source': 'antler harness/images', ...c.labels },
      },
      rootfs: { type: 'layers', diff_ids: layerDescriptors.map((l) => l.digest) },
      history: layerDescriptors.map(() => ({ created: '1970-01-01T00:00:00Z', created_by: 'antler harness/images' })),
    });
    const configDigest = sha256(config);
    await writeFile(path.join(blobs, configDigest), config);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configDigest}`, size: Buffer.byteLength(config) },
      layers: layerDescriptors,
    });
    const manifestDigest = sha256(manifest);
    await writeFile(path.join(blobs, manifestDigest), manifest);
    const descriptor = (name: string) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${manifestDigest}`,
      size: Buffer.byteLength(manifest),
      platform: { architecture: 'amd64', os: 'linux' },
      annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': options.tag },
    });
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [descriptor(`${options.repository}:${options.tag}`), descriptor(`${options.repository}@sha256:${manifestDigest}`)],
    };
    await writeFile(path.join(work, 'index.json'), JSON.stringify(index));
    await writeFile(path.join(work, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await mkdir(path.dirname(options.outFile), { recursive: true });
    const tmpOut = `${options.outFile}.tmp-${process.pid}`;
    await run('tar', ['--sort=name', '--mtime=@0', '-C', work, '-cf', tmpOut, 'oci-layout', 'index.json', 'blobs']);
    await rename(tmpOut, options.outFile);
    return {
      repository: options.repository,
      tag: options.tag,
      digest: `sha256:${manifestDigest}`,
      archive: options.outFile,
      sizeBytes: layerDescriptors.reduce((sum, l) => sum + l.size, 0),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// The two ways users consume a chart, stood up on loopback: a classic HTTP chart repository
// (helm package + helm repo index, served by a tiny static server) and an OCI registry
// (distribution's `registry`, built from its Go module). Plus provenance: a throwaway GPG key
// made at run time signs the package, and installs verify it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { run } from '../exec.js';
import { freePort } from '../ports.js';
import { resolveTool } from '../tools.js';
import { waitFor } from '../wait.js';

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves the files of one directory (no listing, no path escapes) on 127.0.0.1. */
export async function serveDirectory(dir: string): Promise<Served> {
  const root = path.resolve(dir);
  const server = http.createServer((request, response) => {
    const requested = path.resolve(root, `.${decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)}`);
    if (!requested.startsWith(`${root}${path.sep}`)) {
      response.writeHead(404).end();
      return;
    }
    stat(requested).then(
      (info) => {
        if (!info.isFile()) return void response.writeHead(404).end();
        const type = requested.endsWith('.yaml') ? 'application/x-yaml' : requested.endsWith('.tgz') ? 'application/gzip' : 'application/octet-stream';
        response.writeHead(200, { 'content-type': type, 'content-length': info.size });
        createReadStream(requested).pipe(response);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface SigningKey {
  name: string;
  secretKeyring: string;
  publicKeyring: string;
  home: string;
}

/** A passphrase-less RSA key in a private GNUPGHOME, exported as the keyrings helm reads. */
export async function makeSigningKey(workDir: string): Promise<SigningKey> {
  const home = await mkdtemp(path.join(workDir, 'gnupg-'));
  const name = 'Antler E2E Signing';
  const env = { GNUPGHOME: home };
  await run('gpg', ['--batch', '--gen-key'], {
    env,
    input: ['Key-Type: RSA', 'Key-Length: 2048', `Name-Real: ${name}`, 'Name-Email: e2e@antler.invalid', 'Expire-Date: 1d', '%no-protection', '%commit', ''].join('\n'),
  });
  const secretKeyring = path.join(home, 'secring.gpg');
  const publicKeyring = path.join(home, 'pubring-export.gpg');
  await run('gpg', ['--batch', '--yes', '--output', secretKeyring, '--export-secret-keys', name], { env });
  await run('gpg', ['--batch', '--yes', '--output', publicKeyring, '--export', name], { env });
  // gpg started an agent for this home; helm reads the exported keyrings, so it is not needed and
  // must not outlive the run.
  await run('gpgconf', ['--kill', 'gpg-agent'], { env });
  return { name, secretKeyring, publicKeyring, home };
}

export async function packageChart(chartDir: string, outDir: string, signing?: SigningKey): Promise<string> {
  const helm = await resolveTool('helm');
  await mkdir(outDir, { recursive: true });
  const args = ['package', chartDir, '--destination', outDir];
  if (signing) args.push('--sign', '--key', signing.name, '--keyring', signing.secretKeyring);
  const { stdout } = await run(helm, args);
  const match = /saved it to: (\S+\.tgz)/.exec(stdout);
  if (!match?.[1]) throw new Error(`helm package printed no archive path: ${stdout}`);
  return match[1];
}

export async function indexRepository(repoDir: string, url: string): Promise<void> {
  const helm = await resolveTool('helm');
  await run(helm, ['repo', 'index', repoDir, '--url', url]);
  const files = await readdir(repoDir);
  if (!files.includes('index.yaml')) throw new Error(`helm repo index wrote no index.yaml in ${repoDir}`);
}

export interface Registry {
  host: string;
  stop(): Promise<void>;
}

/** distribution's registry on 127.0.0.1 with filesystem storage in a temp dir. */
export async function startRegistry(workDir: string): Promise<Registry> {
  const bin = await resolveTool('registry');
  const storage = await mkdtemp(path.join(workDir, 'registry-'));
  const port = await freePort();
  const config = path.join(storage, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storage}/data`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(bin, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const host = `127.0.0.1:${port}`;
  await waitFor(`the registry to answer http://${host}/v2/`, 15_000, async () => {
    if (child.exitCode !== null) return 'exited' as const;
    return fetch(`http://${host}/v2/`).then((r) => r.ok && ('ready' as const), () => false as const);
  }, 200).then((outcome) => {
    if (outcome === 'exited') throw new Error(`registry exited (${child.exitCode}): ${stderr}`);
  }, (error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}: ${stderr}`);
  });
  return {
    host,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      await rm(storage, { recursive: true, force: true });
    },
  };
}



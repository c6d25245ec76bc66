// Resolves pinned tools. Order: an explicit ANTLER_<TOOL> override, the per-user cache, a build
// from Go modules, a checksum-verified official download, or an error that says how to get it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, chmod, copyFile, mkdir, mkdtemp, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, succeeds } from './exec.js';
import { downloadGoModule, goInstall, goPatchedBuild, goWrapperBuild } from './go-build.js';
import { log, step } from './progress.js';
import { CRD_SOURCES, TOOLS, type Platform, type ToolName, type ToolSpec } from './tool-manifest.js';

export function cacheRoot(): string {
  if (process.env.ANTLER_CACHE_DIR) return path.resolve(process.env.ANTLER_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'antler');
}

/** `kube-apiserver` → `ANTLER_KUBE_APISERVER`. */
export function overrideVariable(name: ToolName): string {
  return `ANTLER_${name.toUpperCase().replace(/-/g, '_')}`;
}

export function currentPlatform(): Platform {
  const os = process.platform === 'darwin' ? 'darwin' : process.platform === 'linux' ? 'linux' : undefined;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : undefined;
  if (!os || !arch) throw new Error(`unsupported platform ${process.platform}/${process.arch}: Antler's tools need linux or darwin on amd64 or arm64`);
  return { os, arch };
}

function cachedBinaryPath(spec: ToolSpec): string {
  return path.join(cacheRoot(), 'tools', spec.name, spec.version, spec.binary);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

let goAvailable: Promise<boolean> | undefined;
function hasGo(): Promise<boolean> {
  goAvailable ??= succeeds('go', ['version']);
  return goAvailable;
}

async function buildFromGo(spec: ToolSpec, dest: string): Promise<void> {
  const recipe = spec.build;
  const source =
    recipe.kind === 'go-install'
      ? `${recipe.pkg}@${recipe.version}`
      : recipe.kind === 'go-patched'
        ? `${recipe.module}@${recipe.version} with harness/patches/${recipe.patch}`
        : `${recipe.pkg} (module ${recipe.module}@${recipe.version} via a wrapper module)`;
  await step('tools', `building ${spec.name} v${spec.version} from ${source}`, async () => {
    if (recipe.kind === 'go-install') await goInstall(recipe, dest);
    else if (recipe.kind === 'go-patched') await goPatchedBuild(recipe, path.join(cacheRoot(), 'build', `${spec.name}-${spec.version}`), dest);
    else await goWrapperBuild(recipe, path.join(cacheRoot(), 'build', recipe.group), dest);
  });
}

function parseChecksum(text: string, artifactName: string): string | undefined {
  for (const line of text.split('\n')) {
    const [digest, file] = line.trim().split(/\s+/);
    if (!digest || !/^[0-9a-f]{64}$/i.test(digest)) continue;
    if (!file || path.basename(file.replace(/^\*/, '')) === artifactName) return digest.toLowerCase();
  }
  return undefined;
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url, { redirect: 'follow' });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response;
}

async function downloadVerified(spec: ToolSpec, dest: string): Promise<void> {
  const recipe = spec.download;
  if (!recipe) throw new Error(`${spec.name} has no official download in the manifest`);
  const platform = currentPlatform();
  const url = recipe.url(platform);
  await step('tools', `downloading ${spec.name} v${spec.version} from ${url}`, async () => {
    const artifact = Buffer.from(await (await fetchOk(url)).arrayBuffer());
    const expected = parseChecksum(await (await fetchOk(recipe.checksumUrl(platform))).text(), path.basename(url));
    const actual = createHash('sha256').update(artifact).digest('hex');
    if (!expected) throw new Error(`no sha256 for ${path.basename(url)} in ${recipe.checksumUrl(platform)}`);
    if (expected !== actual) throw new Error(`sha256 mismatch for ${url}: expected ${expected}, got ${actual}`);
    const tmpDir = await mkdtemp(path.join(os.tmpdir(), `antler-${spec.name}-`));
    try {
      let binary = path.join(tmpDir, spec.binary);
      if (recipe.archiveMember) {
        const archive = path.join(tmpDir, 'artifact.tar.gz');
        await writeFile(archive, artifact);
        await run('tar', ['-xzf', archive, '-C', tmpDir]);
        binary = path.join(tmpDir, recipe.archiveMember(platform));
      } else {
        await writeFile(binary, artifact);
      }
      await chmod(binary, 0o755);
      await mkdir(path.dirname(dest), { recursive: true });
      await copyFile(binary, `${dest}.tmp-${process.pid}`);
      await rename(`${dest}.tmp-${process.pid}`, dest);
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  });
}

function missingToolMessage(spec: ToolSpec, reasons: string[]): string {
  return [
    `${spec.name} v${spec.version} is not available.`,
    ...reasons.map((reason) => `  - ${reason}`),
    'Fix one of:',
    `  - point ${overrideVariable(spec.name)} at an executable ${spec.name} v${spec.version};`,
    `  - install Go (https://go.dev/dl, 1.25 or newer) so it is built from ${spec.build.kind === 'go-install' ? spec.build.pkg : spec.build.module}@${spec.build.version};`,
    spec.download ? `  - allow HTTPS access to ${new URL(spec.download.url(currentPlatform())).host} for a verified download.` : `  - (no official prebuilt download is pinned for ${spec.name})`,
  ].join('\n');
}

async function acquire(spec: ToolSpec): Promise<string> {
  const override = process.env[overrideVariable(spec.name)];
  if (override) {
    if (!(await isExecutable(override))) {
      throw new Error(`${overrideVariable(spec.name)}=${override} is not an executable file`);
    }
    return override;
  }
  const dest = cachedBinaryPath(spec);
  if (await isExecutable(dest)) return dest;

  const reasons: string[] = [];
  if (await hasGo()) {
    try {
      await buildFromGo(spec, dest);
      return dest;
    } catch (error) {
      reasons.push(`building from Go modules failed: ${(error as Error).message}`);
      log('tools', reasons.at(-1) ?? '');
    }
  } else {
    reasons.push('`go` is not on PATH, so it cannot be built from its Go module');
  }
  if (spec.download && process.env.ANTLER_NO_DOWNLOAD !== '1') {
    try {
      await downloadVerified(spec, dest);
      return dest;
    } catch (error) {
      reasons.push(`download failed: ${(error as Error).message}`);
    }
  }
  throw new Error(missingToolMessage(spec, reasons));
}

const resolving = new Map<ToolName, Promise<string>>();

/** Absolute path of the tool's executable; builds or downloads it on first use. */
export function resolveTool(name: ToolName): Promise<string> {
  const spec = TOOLS[name];
  if (!spec) throw new Error(`unknown tool "${String(name)}"; known: ${Object.keys(TOOLS).join(', ')}`);
  let pending = resolving.get(name);
  if (!pending) {
    pending = acquire(spec);
    resolving.set(name, pending);
    pending.catch(() => resolving.delete(name));
  }
  return pending;
}

/**
 * A HELM_PLUGINS directory holding the pinned helm-unittest plugin. The plugin is laid out by
 * hand (plugin.yaml plus the binary) because `helm plugin install` fetches from the network.
 */
export async function helmPluginsDir(): Promise<string> {
  const spec = TOOLS['helm-unittest'];
  const binary = await resolveTool('helm-unittest');
  const pluginsDir = path.join(cacheRoot(), 'helm-plugins', `unittest-${spec.version}`);
  const pluginDir = path.join(pluginsDir, 'unittest');
  const manifest = [
    'name: "unittest"',
    `version: "${spec.version}"`,
    `usage: "${spec.helmPlugin?.usage ?? 'unittest for helm charts'}"`,
    'description: "helm-unittest, built from its pinned Go module by Antler\'s tool manager"',
    'ignoreFlags: false',
    'command: "$HELM_PLUGIN_DIR/untt"',
    '',
  ].join('\n');
  await mkdir(pluginDir, { recursive: true });
  const manifestPath = path.join(pluginDir, 'plugin.yaml');
  if ((await readFile(manifestPath, 'utf8').catch(() => '')) !== manifest) await writeFile(manifestPath, manifest);
  const link = path.join(pluginDir, 'untt');
  if ((await readlink(link).catch(() => '')) !== binary) {
    await rm(link, { force: true });
    await symlink(binary, link);
  }
  return pluginsDir;
}

/** CRD manifests for the chart's optional kinds, extracted from their pinned Go modules. */
export async function resolveCrds(): Promise<string[]> {
  const files: string[] = [];
  for (const source of CRD_SOURCES) {
    const targetDir = path.join(cacheRoot(), 'crds', source.module.replace(/[/]/g, '_'), source.version);
    const targets = source.files.map((file) => path.join(targetDir, path.basename(file)));
    if (targets.every((target) => existsSync(target))) {
      files.push(...targets);
      continue;
    }
    if (!(await hasGo())) {
      throw new Error(`CRDs from ${source.module}@${source.version} need Go (go mod download); install Go 1.25+`);
    }
    const module = await step('tools', `fetching CRDs from ${source.module}@${source.version}`, () =>
      downloadGoModule(source.module, source.version),
    );
    await mkdir(targetDir, { recursive: true });
    for (const [index, file] of source.files.entries()) {
      await copyFile(path.join(module.dir, file), targets[index] as string);
      await chmod(targets[index] as string, 0o644);
    }
    files.push(...targets);
  }
  return files;
}

/** Resolve several tools one after another (parallel Go builds would only fight over 2 cores). */
export async function ensureTools(names: readonly ToolName[]): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  for (const name of names) paths[name] = await resolveTool(name);
  return paths;
}

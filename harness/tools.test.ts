import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TOOLS } from './tool-manifest.js';
import { overrideVariable } from './tools.js';

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const scratch = await mkdtemp(path.join(os.tmpdir(), 'antler-tools-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Runs the tools CLI in a child process with a controlled environment. */
async function toolsCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(tsx, ['harness/tools-cli.ts', ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: scratch, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('tool resolution order', () => {
  it('names override variables after the tool', () => {
    expect(overrideVariable('kube-apiserver')).toBe('ANTLER_KUBE_APISERVER');
    expect(overrideVariable('helm-unittest')).toBe('ANTLER_HELM_UNITTEST');
  });

  it('pins every tool to an exact version and Kubernetes to 1.34 or newer', () => {
    for (const spec of Object.values(TOOLS)) expect(spec.version).toMatch(/^\d+\.\d+\.\d+$/);
    const [major, minor] = TOOLS['kube-apiserver'].version.split('.').map(Number);
    expect(major).toBe(1);
    expect(minor).toBeGreaterThanOrEqual(34);
  });

  it('an explicit override wins over the cache and a build', async () => {
    const fake = path.join(scratch, 'my-kwokctl');
    await writeFile(fake, '#!/bin/sh\necho fake\n');
    await chmod(fake, 0o755);
    const result = await toolsCli(['path', 'kwokctl'], { ANTLER_KWOKCTL: fake, ANTLER_CACHE_DIR: path.join(scratch, 'empty-cache') });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(fake);
  });

  it('an override that is not executable is an error naming the variable', async () => {
    const result = await toolsCli(['path', 'kwokctl'], { ANTLER_KWOKCTL: path.join(scratch, 'missing') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ANTLER_KWOKCTL=');
    expect(result.stderr).toContain('is not an executable file');
  });

  it('a cached copy is used without building', async () => {
    const cache = path.join(scratch, 'cache');
    const spec = TOOLS.kwok;
    const cached = path.join(cache, 'tools', spec.name, spec.version, spec.binary);
    await execFileAsync('mkdir', ['-p', path.dirname(cached)]);
    await writeFile(cached, '#!/bin/sh\n');
    await chmod(cached, 0o755);
    // PATH without go: a build attempt would fail, so success proves the cache was used.
    const result = await toolsCli(['path', 'kwok'], { ANTLER_CACHE_DIR: cache, PATH: path.dirname(process.execPath) });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(cached);
  });

  it('without override, cache, Go or download it says what is missing and how to get it', async () => {
    const result = await toolsCli(['path', 'kwokctl'], {
      ANTLER_CACHE_DIR: path.join(scratch, 'nothing-here'),
      PATH: path.dirname(process.execPath),
      ANTLER_NO_DOWNLOAD: '1',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`kwokctl v${TOOLS.kwokctl.version} is not available`);
    expect(result.stderr).toContain('`go` is not on PATH');
    expect(result.stderr).toContain('ANTLER_KWOKCTL');
  });

  it('rejects an unknown tool by name', async () => {
    const result = await toolsCli(['path', 'kube-flannel'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown tool "kube-flannel"');
  });
});

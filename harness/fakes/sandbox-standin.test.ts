// The AIO sandbox stand-in, run as a process and called the way DeerFlow's sandbox client calls it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../ports.js';
import { eventually } from '../wait.js';
import { globToRegExp } from './sandbox-standin.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let child: ChildProcess;
let base: string;
let home: string;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'antler-standin-'));
  const port = await freePort('127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  child = spawn(path.join(repoRoot, 'node_modules/.bin/tsx'), ['harness/fakes/sandbox-standin.ts'], {
    cwd: repoRoot,
    env: { ...process.env, SANDBOX_STANDIN_PORT: String(port), HOME: home },
    stdio: 'ignore',
  });
  await eventually('the stand-in to listen', 20_000, async () => (await fetch(`${base}/v1/sandbox`).catch(() => undefined))?.status === 200);
});

afterAll(async () => {
  child.kill('SIGTERM');
  await rm(home, { recursive: true, force: true });
});

async function post(route: string, body: unknown): Promise<{ status: number; json: { success?: boolean; message?: string; data?: Record<string, unknown> } }> {
  const response = await fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as { success?: boolean; data?: Record<string, unknown> } };
}

describe('sandbox stand-in (fake of the AIO sandbox image)', () => {
  it('answers readiness with the fields the client model requires', async () => {
    const body = (await (await fetch(`${base}/v1/sandbox`)).json()) as Record<string, unknown>;
    expect(body.home_dir).toBe(home);
    expect(body).toHaveProperty('version');
    expect(body).toHaveProperty('detail.system');
  });

  it('runs shell commands in a real shell, with exit codes and combined output', async () => {
    const { status, json } = await post('/v1/shell/exec', { command: 'echo out; echo err >&2; exit 3', no_change_timeout: 600 });
    expect(status).toBe(200);
    expect(json.data).toMatchObject({ status: 'completed', exit_code: 3, command: 'echo out; echo err >&2; exit 3' });
    expect(json.data?.output).toContain('out');
    expect(json.data?.output).toContain('err');
    expect(typeof json.data?.session_id).toBe('string');
  });

  it('bash exec passes env and keeps stdout and stderr apart', async () => {
    const { json } = await post('/v1/bash/exec', { command: 'echo "$GREETING"; echo oops >&2', env: { GREETING: 'hello' }, hard_timeout: 600 });
    expect(json.data).toMatchObject({ stdout: 'hello\n', stderr: 'oops\n', exit_code: 0, status: 'completed' });
    expect((await post('/v1/bash/exec', { command: 'true', env: { A: 1 } })).status).toBe(422);
  });

  it('writes (text and base64, creating parents), reads whole files and 0-based end-exclusive line slices', async () => {
    const file = path.join(home, 'outputs/deep/hello.txt');
    expect((await post('/v1/file/write', { file, content: 'a\nb\nc\nd' })).json.data).toMatchObject({ file, bytes_written: 7 });
    expect(await readFile(file, 'utf8')).toBe('a\nb\nc\nd');
    expect((await post('/v1/file/read', { file })).json.data).toEqual({ content: 'a\nb\nc\nd', file });
    expect((await post('/v1/file/read', { file, start_line: 1, end_line: 3 })).json.data?.content).toBe('b\nc');
    const binary = path.join(home, 'bin.dat');
    await post('/v1/file/write', { file: binary, content: Buffer.from([0, 1, 2, 255]).toString('base64'), encoding: 'base64' });
    expect([...(await readFile(binary))]).toEqual([0, 1, 2, 255]);
  });

  it('a missing file is a 404 error, not an empty 200 (DeerFlow\'s read-before-write gate depends on it)', async () => {
    const { status, json } = await post('/v1/file/read', { file: path.join(home, 'nope.txt') });
    expect(status).toBe(404);
    expect(json.success).toBe(false);
  });

  it('lists, finds and greps with the fields the client requires', async () => {
    const dir = path.join(home, 'tree');
    await mkdir(path.join(dir, 'sub'), { recursive: true });
    await writeFile(path.join(dir, 'one.md'), 'alpha\nbeta\n');
    await writeFile(path.join(dir, 'sub/two.md'), 'gamma beta\n');
    await writeFile(path.join(dir, 'sub/three.txt'), 'beta\n');
    const list = (await post('/v1/file/list', { path: dir, recursive: true, show_hidden: false })).json.data as { files: { name: string; is_directory: boolean; path: string }[]; total_count: number };
    expect(list.files.map((f) => f.name).sort()).toEqual(['one.md', 'sub', 'three.txt', 'two.md']);
    expect(list.files.find((f) => f.name === 'sub')?.is_directory).toBe(true);
    const found = (await post('/v1/file/find', { path: dir, glob: '**/*.md' })).json.data as { files: string[] };
    expect(found.files.sort()).toEqual([path.join(dir, 'one.md'), path.join(dir, 'sub/two.md')]);
    const grep = (await post('/v1/file/grep', { path: dir, pattern: '^beta', recursive: true })).json.data as { matches: { file: string; line_number: number; line_content: string }[]; files_matched: number };
    expect(grep.matches.map((m) => `${path.basename(m.file)}:${m.line_number}`).sort()).toEqual(['one.md:2', 'three.txt:1']);
    expect(grep.files_matched).toBe(2);
    expect((await post('/v1/file/grep', { path: dir, pattern: '(' })).status).toBe(422);
    expect((await post('/v1/file/list', { path: path.join(dir, 'missing') })).status).toBe(404);
  });

  it('downloads raw bytes and rejects bad input with a JSON 4xx naming the field', async () => {
    const file = path.join(home, 'dl.txt');
    await writeFile(file, 'payload');
    expect(await (await fetch(`${base}/v1/file/download?path=${encodeURIComponent(file)}`)).text()).toBe('payload');
    const relative = await post('/v1/file/read', { file: 'relative/path' });
    expect(relative.status).toBe(422);
    expect(relative.json.message).toContain('"file"');
    const notJson = await fetch(`${base}/v1/file/write`, { method: 'POST', body: '[[[' });
    expect(notJson.status).toBe(422);
    expect((await fetch(`${base}/v1/nothing`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('fault injection: a fault file saying "unready" makes readiness fail with 503', async () => {
    const faultFile = path.join(home, 'fault');
    await writeFile(faultFile, 'unready\n');
    const port = await freePort('127.0.0.1');
    const faulty = spawn(path.join(repoRoot, 'node_modules/.bin/tsx'), ['harness/fakes/sandbox-standin.ts'], {
      cwd: repoRoot,
      env: { ...process.env, SANDBOX_STANDIN_PORT: String(port), HOME: home, SANDBOX_STANDIN_FAULT_FILE: faultFile },
      stdio: 'ignore',
    });
    try {
      await eventually('the faulty stand-in to answer', 20_000, async () => (await fetch(`http://127.0.0.1:${port}/v1/sandbox`).catch(() => undefined))?.status === 503);
      expect((await fetch(`http://127.0.0.1:${port}/v1/shell/exec`, { method: 'POST', body: JSON.stringify({ command: 'true' }) })).status).toBe(200);
    } finally {
      faulty.kill('SIGTERM');
    }
  });

  it('globs like a shell', () => {
    expect(globToRegExp('**/*.md').test('a/b/c.md')).toBe(true);
    expect(globToRegExp('**/*.md').test('c.md')).toBe(true);
    expect(globToRegExp('*.md').test('a/c.md')).toBe(false);
    expect(globToRegExp('file?.[ch]').test('file1.c')).toBe(true);
    expect(globToRegExp('file?.[!ch]').test('file1.c')).toBe(false);
  });
});

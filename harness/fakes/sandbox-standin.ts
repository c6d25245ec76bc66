// A stand-in for DeerFlow's AIO sandbox image (the one fake on the sandbox side: that image cannot
// be pulled here). It serves the routes DeerFlow's gateway calls on a sandbox, through the
// `agent-sandbox` client DeerFlow pins, against the container's real filesystem and a real shell:
// readiness `GET /v1/sandbox`, shell and bash exec, and the file routes (read, write, list, find,
// grep, download). Response shapes follow that client's models: a `{success, message, data}`
// envelope whose `data` carries the fields the client requires. Built into
// `localhost/antler/sandbox-standin` by harness/images; runs on Node with builtins only.
//
// Fault injection for the failure-path tests: a file `/mnt/user-data/.antler-fault` present when
// the container starts (the test writes it on the thread's hostPath first) holding `unready`
// makes readiness answer 503 forever (a Pod that fails its probe); `oom` makes the process
// allocate memory until the kernel kills it at its cgroup limit.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile, appendFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

const PORT = Number(process.env.SANDBOX_STANDIN_PORT ?? '8080');
const HOME = process.env.HOME && process.env.HOME !== '/' ? process.env.HOME : '/tmp';
const MAX_BODY = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT_S = 600;
const USER_DATA_DIRS = ['/mnt/user-data/workspace', '/mnt/user-data/uploads', '/mnt/user-data/outputs'];
const FAULT_FILE = process.env.SANDBOX_STANDIN_FAULT_FILE ?? '/mnt/user-data/.antler-fault';
let fault: 'unready' | 'oom' | undefined;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

type Json = Record<string, unknown>;

function send(res: http.ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const ok = (res: http.ServerResponse, data: Json, extra: Json = {}) => send(res, 200, { success: true, message: 'ok', data, ...extra });

async function readJson(req: http.IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `request body above ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Json;
  } catch (error) {
    throw new HttpError(422, `body is not a JSON object: ${(error as Error).message}`);
  }
}

function stringField(body: Json, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new HttpError(422, `field "${name}" must be a non-empty string`);
  return value;
}

function absolutePath(body: Json, name: string): string {
  const value = stringField(body, name);
  if (!path.isAbsolute(value)) throw new HttpError(422, `field "${name}" must be an absolute path, got "${value}"`);
  return path.normalize(value);
}

function optionalNumber(body: Json, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new HttpError(422, `field "${name}" must be a number`);
  return value;
}

interface Executed {
  stdout: string;
  stderr: string;
  combined: string;
  exitCode: number | null;
  timedOut: boolean;
}

function execute(command: string, options: { cwd: string; env?: Record<string, string>; timeoutS: number }): Promise<Executed> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    let combined = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      combined += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      combined += chunk.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutS * 1000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ stdout, stderr: stderr + error.message, combined: combined + error.message, exitCode: 127, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, combined, exitCode: code, timedOut });
    });
  });
}

async function existingDirectory(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new HttpError(404, `No such directory: ${dir}`);
  if (!info.isDirectory()) throw new HttpError(422, `Not a directory: ${dir}`);
  return dir;
}

interface Entry {
  path: string;
  isDirectory: boolean;
  size: number;
  mtime: Date;
}

async function walk(root: string, options: { recursive: boolean; hidden: boolean }): Promise<Entry[]> {
  const entries: Entry[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
      if (!options.hidden && name.startsWith('.')) continue;
      const full = path.join(dir, name);
      const info = await stat(full).catch(() => undefined);
      if (!info) continue;
      entries.push({ path: full, isDirectory: info.isDirectory(), size: info.size, mtime: info.mtime });
      if (info.isDirectory() && options.recursive) await visit(full);
    }
  };
  await visit(root);
  return entries;
}

/** A shell-style glob (`*`, `**`, `?`, `[...]`) as a regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        source += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else source += '[^/]*';
    } else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const key = `${req.method} ${url.pathname}`;
  if (key === 'GET /v1/sandbox' || key === 'GET /health') {
    if (fault === 'unready') throw new HttpError(503, `fault injected by ${FAULT_FILE}: never ready`);
    send(res, 200, {
      success: true,
      home_dir: HOME,
      version: 'antler-sandbox-standin',
      detail: { system: { os: os.platform(), arch: os.arch(), hostname: os.hostname() }, runtime: { node: process.version }, utils: [] },
    });
    return;
  }
  if (key === 'GET /v1/file/download') {
    const file = url.searchParams.get('path') ?? '';
    if (!path.isAbsolute(file)) throw new HttpError(422, 'query "path" must be an absolute path');
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new HttpError(404, `File not found: ${file}`);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size });
    createReadStream(file).pipe(res);
    return;
  }
  const sessionDelete = /^DELETE \/v1\/shell\/sessions\/([^/]+)$/.exec(key);
  if (sessionDelete) {
    ok(res, { session_id: decodeURIComponent(sessionDelete[1] as string) });
    return;
  }
  if (req.method !== 'POST') throw new HttpError(404, `no route ${key}`);
  const body = await readJson(req);
  switch (url.pathname) {
    case '/v1/shell/exec': {
      const command = stringField(body, 'command');
      const cwd = typeof body.exec_dir === 'string' && body.exec_dir ? body.exec_dir : HOME;
      const timeoutS = optionalNumber(body, 'hard_timeout') ?? optionalNumber(body, 'timeout') ?? DEFAULT_TIMEOUT_S;
      const result = await execute(command, { cwd, timeoutS });
      ok(res, {
        session_id: typeof body.id === 'string' ? body.id : randomUUID(),
        command,
        status: result.timedOut ? 'hard_timeout' : 'completed',
        output: result.combined,
        exit_code: result.exitCode ?? -1,
        console: [],
      });
      return;
    }
    case '/v1/shell/sessions/create': {
      ok(res, { session_id: typeof body.id === 'string' ? body.id : randomUUID(), working_dir: HOME });
      return;
    }
    case '/v1/bash/exec': {
      const command = stringField(body, 'command');
      const env = body.env ?? {};
      if (typeof env !== 'object' || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string')) {
        throw new HttpError(422, 'field "env" must be an object of strings');
      }
      const cwd = typeof body.exec_dir === 'string' && body.exec_dir ? body.exec_dir : HOME;
      const timeoutS = optionalNumber(body, 'hard_timeout') ?? optionalNumber(body, 'timeout') ?? DEFAULT_TIMEOUT_S;
      const result = await execute(command, { cwd, env: env as Record<string, string>, timeoutS });
      ok(res, {
        session_id: typeof body.session_id === 'string' ? body.session_id : randomUUID(),
        command_id: randomUUID(),
        command,
        status: result.timedOut ? 'timed_out' : 'completed',
        stdout: result.stdout,
        stderr: result.stderr,
        exit_code: result.exitCode ?? -1,
      });
      return;
    }
    case '/v1/file/read': {
      const file = absolutePath(body, 'file');
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new HttpError(error.code === 'ENOENT' ? 404 : error.code === 'EISDIR' ? 422 : 500, `${error.code === 'ENOENT' ? 'File not found' : 'Cannot read'}: ${file}`);
      });
      const start = optionalNumber(body, 'start_line');
      const end = optionalNumber(body, 'end_line');
      // The client sends a 0-based, end-exclusive slice of lines.
      const content = start === undefined && end === undefined ? text : text.split('\n').slice(start ?? 0, end ?? undefined).join('\n');
      ok(res, { content, file });
      return;
    }
    case '/v1/file/write': {
      const file = absolutePath(body, 'file');
      if (typeof body.content !== 'string') throw new HttpError(422, 'field "content" must be a string');
      const data = body.encoding === 'base64' ? Buffer.from(body.content, 'base64') : Buffer.from(body.content, 'utf8');
      await mkdir(path.dirname(file), { recursive: true });
      if (body.append === true) await appendFile(file, data);
      else await writeFile(file, data);
      ok(res, { file, bytes_written: data.length });
      return;
    }
    case '/v1/file/list': {
      const dir = await existingDirectory(absolutePath(body, 'path'));
      const entries = await walk(dir, { recursive: body.recursive === true, hidden: body.show_hidden === true });
      const files = entries.map((e) => ({
        name: path.basename(e.path),
        path: e.path,
        is_directory: e.isDirectory,
        size: e.size,
        modified_time: e.mtime.toISOString(),
        extension: e.isDirectory ? null : path.extname(e.path).replace(/^\./, '') || null,
      }));
      const directories = files.filter((f) => f.is_directory).length;
      ok(res, { path: dir, files, total_count: files.length, directory_count: directories, file_count: files.length - directories });
      return;
    }
    case '/v1/file/find': {
      const dir = await existingDirectory(absolutePath(body, 'path'));
      const pattern = globToRegExp(stringField(body, 'glob'));
      const entries = await walk(dir, { recursive: true, hidden: false });
      ok(res, { path: dir, files: entries.filter((e) => !e.isDirectory && pattern.test(path.relative(dir, e.path))).map((e) => e.path) });
      return;
    }
    case '/v1/file/grep': {
      const root = absolutePath(body, 'path');
      const patternText = stringField(body, 'pattern');
      let pattern: RegExp;
      try {
        const source = body.fixed_strings === true ? patternText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : patternText;
        pattern = new RegExp(source, body.case_insensitive === true ? 'i' : '');
      } catch (error) {
        throw new HttpError(422, `field "pattern" is not a regular expression: ${(error as Error).message}`);
      }
      const maxResults = optionalNumber(body, 'max_results') ?? 100;
      const info = await stat(root).catch(() => undefined);
      if (!info) throw new HttpError(404, `No such file or directory: ${root}`);
      const files = info.isDirectory() ? (await walk(root, { recursive: body.recursive !== false, hidden: false })).filter((e) => !e.isDirectory).map((e) => e.path) : [root];
      const matches: Json[] = [];
      let filesMatched = 0;
      let truncated = false;
      for (const file of files) {
        const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n');
        let matched = false;
        for (const [index, line] of lines.entries()) {
          if (!pattern.test(line)) continue;
          matched = true;
          if (matches.length >= maxResults) {
            truncated = true;
            break;
          }
          matches.push({ file, line_number: index + 1, line_content: line, context_before: [], context_after: [] });
        }
        if (matched) filesMatched += 1;
      }
      ok(res, { path: root, pattern: patternText, matches, match_count: matches.length, files_searched: files.length, files_matched: filesMatched, truncated });
      return;
    }
    default:
      throw new HttpError(404, `no route ${key}`);
  }
}

const server = http.createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    const status = error instanceof HttpError ? error.status : 500;
    if (!res.headersSent) send(res, status, { success: false, message: error instanceof Error ? error.message : String(error), data: null });
    else res.destroy();
  });
});

async function main(): Promise<void> {
  const requested = (await readFile(FAULT_FILE, 'utf8').catch(() => '')).trim();
  if (requested === 'unready' || requested === 'oom') fault = requested;
  if (fault === 'oom') {
    const hold: Buffer[] = [];
    for (;;) hold.push(Buffer.alloc(16 * 1024 * 1024, 1));
  }
  // DeerFlow does not create these inside a remote sandbox; a writable mount gets them here.
  for (const dir of USER_DATA_DIRS) await mkdir(dir, { recursive: true }).catch(() => undefined);
  server.listen(PORT, '0.0.0.0', () => process.stdout.write(`sandbox stand-in listening on :${PORT}\n`));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) void main();

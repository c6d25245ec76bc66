// A container root filesystem described as a list of entries, then laid out in a directory with
// real ownership and modes (we run as root), ready to be tarred into an OCI layer. Host binaries
// come with their ELF closure (what `ldd` resolves), so Debian's own nginx, PostgreSQL, Redis,
// Python or Node run unchanged inside the image.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, lchown, lstat, mkdir, readdir, readFile, readlink, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../exec.js';

export type RootfsEntry =
  | { kind: 'file'; from: string; to: string; mode?: number }
  | { kind: 'tree'; from: string; to: string; exclude?: (relative: string) => boolean }
  | { kind: 'elf'; from: string; to?: string }
  | { kind: 'content'; to: string; content: string; mode?: number }
  | { kind: 'dir'; to: string; mode?: number; uid?: number; gid?: number }
  | { kind: 'symlink'; to: string; target: string };

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** Debian's merged /usr: the image gets the same top-level links, so host paths resolve alike. */
const MERGED_USR_LINKS: Record<string, string> = { '/bin': 'usr/bin', '/sbin': 'usr/sbin', '/lib': 'usr/lib', '/lib64': 'usr/lib64' };

export class Rootfs {
  readonly entries: RootfsEntry[] = [];
  private readonly accounts: Account[] = [{ name: 'root', uid: 0, gid: 0, home: '/root' }];

  constructor() {
    for (const [link, target] of Object.entries(MERGED_USR_LINKS)) this.entries.push({ kind: 'symlink', to: link, target });
    for (const dir of ['/usr/bin', '/usr/sbin', '/usr/lib', '/usr/lib64', '/etc', '/dev', '/proc', '/sys', '/run', '/var', '/root']) this.entries.push({ kind: 'dir', to: dir });
    this.entries.push({ kind: 'dir', to: '/tmp', mode: 0o1777 });
  }

  add(entry: RootfsEntry): this {
    this.entries.push(entry);
    return this;
  }

  /** A host executable or shared object at the same path, with every library it links. */
  elf(from: string, to?: string): this {
    return this.add({ kind: 'elf', from, to });
  }

  content(to: string, content: string, mode = 0o644): this {
    return this.add({ kind: 'content', to, content, mode });
  }

  user(account: Account): this {
    this.accounts.push(account);
    return this;
  }

  /** Lays the rootfs out under `dir` (which must be empty or missing). */
  async materialize(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const elfFiles = new Set<string>();
    for (const entry of this.entries) {
      const target = (p: string) => path.join(dir, p);
      switch (entry.kind) {
        case 'dir':
          await mkdir(target(entry.to), { recursive: true });
          if (entry.mode !== undefined) await chmod(target(entry.to), entry.mode);
          if (entry.uid !== undefined) await chown(target(entry.to), entry.uid, entry.gid ?? entry.uid);
          break;
        case 'symlink':
          await mkdir(path.dirname(target(entry.to)), { recursive: true });
          if (!existsSync(target(entry.to))) await symlink(entry.target, target(entry.to));
          break;
        case 'content':
          await mkdir(path.dirname(target(entry.to)), { recursive: true });
          await writeFile(target(entry.to), entry.content, { mode: entry.mode ?? 0o644 });
          await chmod(target(entry.to), entry.mode ?? 0o644);
          break;
        case 'file':
          await mkdir(path.dirname(target(entry.to)), { recursive: true });
          await cp(entry.from, target(entry.to), { dereference: true });
          if (entry.mode !== undefined) await chmod(target(entry.to), entry.mode);
          break;
        case 'tree':
          await copyTree(entry.from, target(entry.to), entry.exclude);
          break;
        case 'elf':
          for (const file of await sharedLibraries(entry.from)) elfFiles.add(file);
          if (entry.to) {
            await mkdir(path.dirname(target(entry.to)), { recursive: true });
            await cp(entry.from, target(entry.to), { dereference: true });
          } else {
            elfFiles.add(entry.from);
          }
          break;
      }
    }
    for (const file of elfFiles) await copyHostPath(file, dir);
    await writeFile(path.join(dir, 'etc/passwd'), this.accounts.map((a) => `${a.name}:x:${a.uid}:${a.gid}:${a.name}:${a.home}:/bin/sh`).join('\n') + '\n');
    const groups = new Map(this.accounts.map((a) => [a.gid, a.name]));
    await writeFile(path.join(dir, 'etc/group'), [...groups].map(([gid, name]) => `${name}:x:${gid}:`).join('\n') + '\n');
    if (!existsSync(path.join(dir, 'etc/nsswitch.conf'))) await writeFile(path.join(dir, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  }
}

/** Size and mtime of a file, or of every file below a directory: cheap change detection. */
export async function treeStamp(p: string): Promise<string> {
  const info = await stat(p).catch(() => undefined);
  if (!info) return `${p}:missing`;
  if (!info.isDirectory()) return `${p}:${info.size}:${info.mtimeMs}`;
  const parts: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const entry = await lstat(full);
      // Bytecode caches appear whenever an interpreter runs from the tree (a config check, the
      // DeerFlow client); no builder copies them, so they must not force a rebuild.
      if (entry.isDirectory() && name === '__pycache__') continue;
      if (entry.isDirectory()) await walk(full);
      else parts.push(`${path.relative(p, full)}:${entry.size}:${entry.mtimeMs}`);
    }
  };
  await walk(p);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** Every shared object an ELF file needs (the dynamic loader included), as host paths. */
export async function sharedLibraries(file: string, bundled: (name: string) => boolean = () => false): Promise<string[]> {
  const header = (await readFile(file)).subarray(0, 4);
  if (header.toString('latin1') !== '\x7fELF') return [];
  const { stdout } = await run('ldd', [file]).catch(() => ({ stdout: '' }));
  const files: string[] = [];
  for (const line of stdout.split('\n')) {
    if (/statically linked|not a dynamic executable/.test(line)) continue;
    const missing = /^\s*(\S+) => not found/.exec(line)?.[1];
    // A library shipped next to it (a wheel's `<pkg>.libs/`, found at run time through $ORIGIN) is not the host's to provide.
    if (missing && bundled(missing)) continue;
    if (missing) throw new Error(`${file} needs ${line.trim()}, which this host does not have`);
    const resolved = /=>\s+(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
    if (resolved) files.push(resolved);
  }
  return files;
}

/**
 * Copies a host path into the rootfs at the same place: a symlink stays a symlink (and its target
 * is copied too), directories on the way are created with the host's real layout.
 */
export async function copyHostPath(hostPath: string, rootDir: string): Promise<void> {
  const parent = await realpath(path.dirname(hostPath));
  const at = path.join(parent, path.basename(hostPath));
  const dest = path.join(rootDir, at);
  if (existsSync(dest)) return;
  await mkdir(path.dirname(dest), { recursive: true });
  const info = await lstat(at);
  if (info.isSymbolicLink()) {
    const link = await readlink(at);
    await symlink(link, dest);
    await copyHostPath(path.resolve(path.dirname(at), link), rootDir);
    return;
  }
  await cp(at, dest, { dereference: false, recursive: info.isDirectory() });
  await lchown(dest, 0, 0);
}

/**
 * Copies a directory tree with tar (fast for the tens of thousands of files of a Python venv),
 * keeping symlinks, modes and empty directories; `exclude` sees paths relative to `from`.
 */
export async function copyTree(from: string, to: string, exclude?: (relative: string) => boolean): Promise<void> {
  await mkdir(to, { recursive: true });
  const entries: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(path.join(from, dir), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (exclude?.(relative)) continue;
      entries.push(relative);
      if (entry.isDirectory()) await walk(relative);
    }
  };
  await walk('');
  const list = path.join(to, '..', `.${path.basename(to)}.tar-list-${process.pid}`);
  await writeFile(list, entries.join('\0'));
  try {
    await run('sh', ['-c', 'tar -C "$1" --null --no-recursion -T "$2" -cf - | tar -C "$3" -xpf -', 'copy-tree', from, list, to]);
  } finally {
    await rm(list, { force: true });
  }
}

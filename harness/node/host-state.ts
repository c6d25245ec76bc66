// What the real node changes on the host, recorded before it starts and put back when it stops:
// sysctls (the kubelet sets kernel.panic*, vm.overcommit_memory...; the CNI bridge sets
// ip_forward), the nftables ruleset (kube-proxy, kube-network-policies, our isolation table, the
// iptables-nft NFQUEUE rule), mounts, network interfaces and a list of host paths daemons like to
// create. `compareHostState` is what the host-restore test asserts on.
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../exec.js';
import { log } from '../progress.js';

/** sysctl directories whose writable entries are recorded (not recursive). */
const SYSCTL_DIRS = [
  'kernel', 'kernel/keys', 'vm', 'net/core', 'net/bridge', 'net/netfilter', 'net/ipv4',
  'net/ipv4/conf/all', 'net/ipv4/conf/default', 'net/ipv6/conf/all', 'net/ipv6/conf/default',
];
/** Entries that change on their own. */
const VOLATILE_SYSCTLS = new Set(['kernel/ns_last_pid', 'kernel/random/uuid']);

/** Host paths that kubelet, containerd or CNI create by default; ours must not leave them. */
export const WATCHED_HOST_PATHS = [
  '/var/lib/kubelet', '/var/log/pods', '/var/log/containers', '/etc/kubernetes',
  '/var/lib/containerd', '/run/containerd', '/etc/containerd', '/var/run/nri', '/etc/nri', '/opt/nri',
  '/etc/cni', '/opt/cni', '/var/lib/cni', '/run/netns', '/var/run/netns',
  // The chart's default hostPath base: a profile that forgets to override it would leave it behind.
  '/var/local/antler',
];

export interface HostState {
  sysctls: Record<string, string>;
  /** `nft list ruleset`, one table per entry keyed `family name`. */
  nftTables: Record<string, string>;
  mounts: string[];
  interfaces: string[];
  paths: string[];
}

async function readSysctls(): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const dir of SYSCTL_DIRS) {
    const full = path.join('/proc/sys', dir);
    const entries = await readdir(full).catch(() => [] as string[]);
    for (const entry of entries) {
      const key = `${dir}/${entry}`;
      if (VOLATILE_SYSCTLS.has(key)) continue;
      const file = path.join(full, entry);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile() || (info.mode & 0o200) === 0) continue;
      const value = await readFile(file, 'utf8').catch(() => undefined);
      if (value !== undefined) values[key] = value.trim();
    }
  }
  return values;
}

/** Splits `nft list ruleset` into its tables. */
export function splitNftRuleset(ruleset: string): Record<string, string> {
  const tables: Record<string, string> = {};
  let current: string | undefined;
  for (const line of ruleset.split('\n')) {
    const header = /^table (\S+) (\S+) \{/.exec(line);
    if (header) current = `${header[1]} ${header[2]}`;
    if (current) tables[current] = `${tables[current] ?? ''}${line}\n`;
    if (line === '}') current = undefined;
  }
  return tables;
}

async function readNftTables(): Promise<Record<string, string>> {
  return splitNftRuleset((await run('nft', ['list', 'ruleset'])).stdout);
}

async function readMounts(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  // Field 5 is the mount point; octal escapes (\040 for a space) are kept as written.
  return text.split('\n').filter(Boolean).map((line) => line.split(' ')[4] as string).sort();
}

async function readInterfaces(): Promise<string[]> {
  return (await readdir('/sys/class/net')).sort();
}

export async function captureHostState(): Promise<HostState> {
  return {
    sysctls: await readSysctls(),
    nftTables: await readNftTables(),
    mounts: await readMounts(),
    interfaces: await readInterfaces(),
    paths: WATCHED_HOST_PATHS.filter((p) => existsSync(p)),
  };
}

/** Every way `after` differs from `before`, one line each (empty: the host is as it was). */
export function compareHostState(before: HostState, after: HostState): string[] {
  const differences: string[] = [];
  for (const [key, value] of Object.entries(before.sysctls)) {
    const now = after.sysctls[key];
    if (now !== undefined && now !== value) differences.push(`sysctl ${key.replace(/\//g, '.')} is "${now}", was "${value}"`);
  }
  const tables = new Set([...Object.keys(before.nftTables), ...Object.keys(after.nftTables)]);
  for (const table of tables) {
    if (!(table in before.nftTables)) differences.push(`nftables table ${table} was added`);
    else if (!(table in after.nftTables)) differences.push(`nftables table ${table} was removed`);
    else if (before.nftTables[table] !== after.nftTables[table]) differences.push(`nftables table ${table} changed`);
  }
  const diffList = (what: string, was: string[], now: string[]) => {
    for (const item of now.filter((x) => !was.includes(x))) differences.push(`${what} ${item} was added`);
    for (const item of was.filter((x) => !now.includes(x))) differences.push(`${what} ${item} was removed`);
  };
  diffList('mount', before.mounts, after.mounts);
  diffList('network interface', before.interfaces, after.interfaces);
  diffList('host path', before.paths, after.paths);
  return differences;
}

export async function saveHostState(file: string, state: HostState): Promise<void> {
  await writeFile(file, JSON.stringify(state, null, 2));
}

export async function loadHostState(file: string): Promise<HostState | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as HostState);
}

/**
 * Puts back what `before` recorded: sysctls that changed, nftables tables that were added, and
 * watched host paths that did not exist. Tables that existed before are never touched (a change
 * to one shows up in compareHostState). Mounts and interfaces are the node's own teardown job.
 */
export async function restoreHostState(before: HostState): Promise<void> {
  const now = await captureHostState();
  for (const [key, value] of Object.entries(before.sysctls)) {
    if (now.sysctls[key] !== undefined && now.sysctls[key] !== value) {
      await writeFile(path.join('/proc/sys', key), value).catch((error: Error) => log('node', `could not restore sysctl ${key}: ${error.message}`));
    }
  }
  for (const table of Object.keys(now.nftTables)) {
    if (table in before.nftTables) continue;
    const [family, name] = table.split(' ') as [string, string];
    await run('nft', ['delete', 'table', family, name]).catch((error: Error) => log('node', `could not delete nftables table ${table}: ${error.message}`));
  }
  for (const p of WATCHED_HOST_PATHS) {
    if (!before.paths.includes(p) && existsSync(p)) {
      await rm(p, { recursive: true, force: true }).catch((error: Error) => log('node', `could not remove ${p}: ${error.message}`));
    }
  }
}

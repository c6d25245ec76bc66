// Debian packages the harness needs on the host (runc, iptables/nftables, conntrack for the real
// node; nginx, PostgreSQL, Redis, busybox as the sources of local images). Installed with apt on
// first use; a machine without apt or root gets an error that says what to install by hand.
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { run, succeeds } from './exec.js';
import { step } from './progress.js';

let updated = false;

async function installed(pkg: string): Promise<boolean> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', pkg]);
    return stdout.trim() === 'install ok installed';
  } catch {
    return false;
  }
}

/** The installed version of a Debian package, or undefined. */
export async function packageVersion(pkg: string): Promise<string | undefined> {
  try {
    return (await run('dpkg-query', ['-W', '-f=${Version}', pkg])).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/**
 * Installs whichever of `pkgs` are missing. Package scripts must not start services on the host
 * (nginx, redis-server and postgresql would): a policy-rc.d that denies starts is put in place for
 * the install when the machine has none, and removed afterwards.
 */
export async function ensureSystemPackages(pkgs: readonly string[], purpose: string): Promise<void> {
  const missing: string[] = [];
  for (const pkg of pkgs) if (!(await installed(pkg))) missing.push(pkg);
  if (missing.length === 0) return;
  const manual = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!(await succeeds('apt-get', ['--version']))) {
    throw new Error(`${purpose} needs the Debian packages ${missing.join(', ')}, and this machine has no apt-get. Install them with your package manager (Debian: ${manual}).`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error(`${purpose} needs the Debian packages ${missing.join(', ')}; installing them needs root. Run: sudo sh -c '${manual}'`);
  }
  const addedPolicy = !existsSync(POLICY_RC_D);
  if (addedPolicy) await writeFile(POLICY_RC_D, '#!/bin/sh\n# Antler: no service starts during package installs\nexit 101\n', { mode: 0o755 });
  try {
    await step('packages', `apt-get install ${missing.join(' ')} (for ${purpose})`, async () => {
      const env = { DEBIAN_FRONTEND: 'noninteractive' };
      if (!updated) {
        await run('apt-get', ['update', '-q'], { env, timeoutMs: 600_000 });
        updated = true;
      }
      await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env, timeoutMs: 900_000 });
    });
  } catch (error) {
    throw new Error(`${purpose}: installing ${missing.join(', ')} with apt failed (${(error as Error).message.split('\n').slice(-3).join(' ')}). Fix apt access or run: ${manual}`);
  } finally {
    if (addedPolicy) await rm(POLICY_RC_D, { force: true });
  }
}

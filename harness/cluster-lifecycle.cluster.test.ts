// cluster-up is idempotent and fast once tools are cached; cluster-down leaves nothing behind.
// Uses its own cluster name so the shared test cluster is untouched.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBackend } from './cluster.js';
import { portListening } from './ports.js';
import { processRunning } from './processes.js';

// A second cluster beside the shared one: kwok nodes only (one real node per machine).
const backend = new LocalBackend('antler-lifecycle', { realNode: false });
afterAll(() => backend.down());


describe('local backend lifecycle', () => {
  it('starts within 60 s, is idempotent, and stops without leftovers', async () => {
    const started = Date.now();
    const first = await backend.up();
    const upSeconds = (Date.now() - started) / 1000;
    expect(first.created).toBe(true);
    expect(upSeconds).toBeLessThan(60);

    const second = await backend.up();
    expect(second.created).toBe(false);
    expect(second.kubeconfig).toBe(first.kubeconfig);

    const pids = await backend.componentPids();
    // etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok-controller
    expect(pids.length).toBeGreaterThanOrEqual(5);
    expect(pids.every(processRunning)).toBe(true);
    const server = /server:\s*https?:\/\/[^:]+:(\d+)/.exec(await readFile(first.kubeconfig, 'utf8'));
    const apiPort = Number(server?.[1]);
    expect(await portListening(apiPort)).toBe(true);

    await backend.down();
    expect(pids.filter(processRunning)).toEqual([]);
    const listener = (await portListening(apiPort)) ? execSync(`ss -ltnpH 'sport = :${apiPort}' || true`).toString() : '';
    expect(listener, `port ${apiPort} still answers after down`).toBe('');
    expect(existsSync(first.kubeconfig)).toBe(false);
  });
});

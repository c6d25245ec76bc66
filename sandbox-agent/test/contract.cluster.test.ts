// Contract §6 behaviours (docs/provisioner-contract.md) against a real API server, with the
// deviations of §7.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { type Admin, type Agent, admin, call, createNamespace, deleteNamespace, eventually, podNames, repoRoot, serviceNames, startAgent } from './agent-process.js';

const kubeconfig = inject('kubeconfig');
let a: Admin;
let ns: string;
let agent: Agent;
const base = () => ({ KUBECONFIG_PATH: kubeconfig, K8S_NAMESPACE: ns, PROVISIONER_API_KEY: 'k', DEER_FLOW_HOST_BASE_DIR: '/state', SANDBOX_AGENT_START_GRACE_SECONDS: '600' });

beforeAll(async () => {
  a = admin(kubeconfig);
  ns = await createNamespace(a, 'sa-contract');
  agent = await startAgent({ ...base(), SANDBOX_AGENT_API_KEYS: 'rotated' });
});
afterAll(async () => {
  await agent?.stop();
  await deleteNamespace(a, ns);
});

describe('auth and static endpoints', () => {
  it('serves /health without a key and no docs', async () => {
    const r = await call(agent, 'GET', '/health', undefined, {});
    expect(r.status).toBe(200);
    expect(r.text).toBe('{"status":"ok"}');
    expect((await call(agent, 'GET', '/docs', undefined, {})).status).toBe(404);
    expect((await call(agent, 'GET', '/openapi.json', undefined, {})).status).toBe(404);
  });
  it('rejects missing or wrong keys with a bare 401 on every /api path', async () => {
    for (const [p, h] of [
      ['/api/sandboxes', {}],
      ['/api/sandboxes', { 'X-API-Key': 'wrong' }],
      ['/api/does-not-exist', {}],
      ['/api/capabilities', { 'X-API-Key': 'ké' }],
    ] as [string, Record<string, string>][]) {
      const r = await call(agent, 'GET', p, undefined, h);
      expect(r.status).toBe(401);
      expect(r.text).toBe('Unauthorized');
      expect(r.contentType).toBeNull();
    }
    expect((await call(agent, 'GET', '/api/does-not-exist')).json).toEqual({ detail: 'Not Found' });
    expect((await call(agent, 'PUT', '/api/sandboxes')).json).toEqual({ detail: 'Method Not Allowed' });
    expect((await call(agent, 'GET', '/api/sandboxes', undefined, { 'x-api-key': 'k' })).status).toBe(200);
    expect((await call(agent, 'GET', '/api/sandboxes', undefined, { 'X-API-Key': 'rotated' })).status).toBe(200);
  });
  it('reports capabilities', async () => {
    const r = await call(agent, 'GET', '/api/capabilities');
    expect(r.json).toEqual({ lark_cli_init_image: false, lark_cli_broker_image: false });
    expect(r.contentType).toBe('application/json');
  });
});

describe('sandbox CRUD in NodePort mode', () => {
  it('creates Pod + Service and answers idempotently (§6.5–9, 13, 15)', async () => {
    const r = await call(agent, 'POST', '/api/sandboxes', { sandbox_id: 'abc123', thread_id: 'thread-1', user_id: 'user-1' });
    expect(r.status).toBe(200);
    const body = r.json as Record<string, unknown>;
    expect(body.sandbox_id).toBe('abc123');
    expect(['Pending', 'Running']).toContain(body.status);
    const svc = await a.core.readNamespacedService({ namespace: ns, name: 'sandbox-abc123-svc' });
    const pod = await a.core.readNamespacedPod({ namespace: ns, name: 'sandbox-abc123' });
    expect(svc.spec?.type).toBe('NodePort');
    expect(svc.spec?.selector).toEqual({ 'sandbox-id': 'abc123' });
    expect(body.sandbox_url).toBe(`http://host.docker.internal:${svc.spec?.ports?.[0]?.nodePort}`);
    expect(pod.metadata?.labels).toMatchObject({ app: 'deer-flow-sandbox', 'sandbox-id': 'abc123', 'app.kubernetes.io/component': 'sandbox' });
    expect(pod.metadata?.annotations?.['sandbox.antler.dev/user-id']).toBe('user-1');

    const again = await call(agent, 'POST', '/api/sandboxes', {
      sandbox_id: 'abc123',
      thread_id: 'other',
      user_id: 'u2',
      extra_mounts: [{ host_path: '/state/x', container_path: '/mnt/secrets' }],
    });
    expect(again.status).toBe(200);
    expect((again.json as Record<string, unknown>).sandbox_url).toBe(body.sandbox_url);
    expect((await a.core.readNamespacedPod({ namespace: ns, name: 'sandbox-abc123' })).metadata?.uid).toBe(pod.metadata?.uid);
    expect((await a.core.readNamespacedService({ namespace: ns, name: 'sandbox-abc123-svc' })).metadata?.uid).toBe(svc.metadata?.uid);
  });

  it('waits for Ready on request and GET/list report it (§6.14, 30, 33)', async () => {
    const r = await call(agent, 'GET', '/api/sandboxes/abc123?wait=ready&timeout=30');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ sandbox_id: 'abc123', status: 'Running', ready: true });
    expect((await call(agent, 'POST', '/api/sandboxes', { sandbox_id: 'abc123' })).json).toMatchObject({ status: 'Running' });
    expect((await call(agent, 'GET', '/api/sandboxes/nope')).json).toEqual({ detail: "Sandbox 'nope' not found" });
    await call(agent, 'POST', '/api/sandboxes', { sandbox_id: 'b2' });
    const list = (await call(agent, 'GET', '/api/sandboxes')).json as { sandboxes: { sandbox_id: string }[]; count: number };
    expect(list.count).toBe(2);
    expect(list.sandboxes.map((s) => s.sandbox_id)).toEqual(['abc123', 'b2']);
  });

  it('rejects bad input with 422/400 and creates nothing (§6.20–23, 39)', async () => {
    const before = [await podNames(a, ns), await serviceNames(a, ns)];
    const cases: [unknown, number, unknown][] = [
      [{}, 422, undefined],
      [{ sandbox_id: 'n1', thread_id: '../escape' }, 422, undefined],
      [{ sandbox_id: 'n1', user_id: null }, 422, undefined],
      [{ sandbox_id: 'n1', extra_mounts: null }, 422, undefined],
      ['{not json', 422, undefined],
      [{ sandbox_id: 'Bad_ID' }, 422, undefined],
      [{ sandbox_id: 'n2', extra_mounts: Array.from({ length: 11 }, () => ({ host_path: '/state/a', container_path: '/mnt/acp-workspace' })) }, 400, { detail: 'Too many extra mounts; max is 10' }],
      [{ sandbox_id: 'n3', extra_mounts: [{ host_path: '/etc', container_path: '/mnt/integrations/lark-cli/config' }] }, 400, { detail: 'Extra mount host path is outside DeerFlow state: /etc' }],
      [{ sandbox_id: 'n4', extra_mounts: [{ host_path: '/state/users/a/x', container_path: '/mnt/secrets' }] }, 400, { detail: 'Unsupported extra mount path: /mnt/secrets' }],
    ];
    for (const [body, status, json] of cases) {
      const r = await call(agent, 'POST', '/api/sandboxes', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      if (json) expect(r.json).toEqual(json);
      if (status === 422) expect(Array.isArray((r.json as { detail: unknown }).detail)).toBe(true);
    }
    expect([await podNames(a, ns), await serviceNames(a, ns)]).toEqual(before);
  });

  it('re-creates a Pod lost behind its Service (fixes §6.32)', async () => {
    await a.core.deleteNamespacedPod({ namespace: ns, name: 'sandbox-b2', gracePeriodSeconds: 0 });
    await eventually(async () => ((await call(agent, 'GET', '/api/sandboxes/b2')).json as { status?: string } | undefined)?.status === 'NotFound', 10_000, 'the agent to observe the Pod deletion');
    const r = await call(agent, 'POST', '/api/sandboxes', { sandbox_id: 'b2' });
    expect(r.status).toBe(200);
    expect((r.json as { status: string }).status).not.toBe('NotFound');
    expect(await podNames(a, ns)).toContain('sandbox-b2');
  });

  it('completes a pre-existing Pod with its Service (§6.40)', async () => {
    await a.core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'sandbox-x1', labels: { app: 'deer-flow-sandbox', 'sandbox-id': 'x1' } }, spec: { containers: [{ name: 's', image: 'x' }] } },
    });
    const r = await call(agent, 'POST', '/api/sandboxes', { sandbox_id: 'x1' });
    expect(r.status).toBe(200);
    expect(await serviceNames(a, ns)).toContain('sandbox-x1-svc');
  });

  it('deletes idempotently (§6.34–35)', async () => {
    expect((await call(agent, 'DELETE', '/api/sandboxes/abc123')).json).toEqual({ ok: true, sandbox_id: 'abc123' });
    expect(await serviceNames(a, ns)).not.toContain('sandbox-abc123-svc');
    expect((await call(agent, 'GET', '/api/sandboxes/abc123')).status).toBe(404);
    expect((await call(agent, 'DELETE', '/api/sandboxes/never-existed')).json).toEqual({ ok: true, sandbox_id: 'never-existed' });
  });

  it('keeps /health responsive during concurrent creates (§6.43)', async () => {
    const creates = Array.from({ length: 10 }, (_, i) => call(agent, 'POST', '/api/sandboxes', { sandbox_id: `c${i}` }));
    const t0 = Date.now();
    expect((await call(agent, 'GET', '/health', undefined, {})).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    for (const r of await Promise.all(creates)) expect(r.status).toBe(200);
  });
});

describe('other modes and limits', () => {
  it('fails closed with no key configured (§6.2)', async () => {
    const noKey = await startAgent({ ...base(), PROVISIONER_API_KEY: '' });
    try {
      for (const [m, p] of [['GET', '/api/sandboxes'], ['GET', '/api/capabilities'], ['POST', '/api/sandboxes']]) {
        const r = await call(noKey, m as string, p as string, m === 'POST' ? { sandbox_id: 'zz' } : undefined);
        expect(r.status).toBe(401);
      }
      expect((await call(noKey, 'GET', '/health', undefined, {})).status).toBe(200);
    } finally {
      await noKey.stop();
    }
    expect(await podNames(a, ns)).not.toContain('sandbox-zz');
  });

  it('exits non-zero on invalid configuration, naming the variable (§6.12, 42)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kc-dir-'));
    const cases: [Record<string, string>, string][] = [
      [{ SANDBOX_CONTAINER_PORT: 'abc' }, 'SANDBOX_CONTAINER_PORT'],
      [{ SANDBOX_SERVICE_TYPE: 'LoadBalancer' }, 'SANDBOX_SERVICE_TYPE'],
      [{ KUBECONFIG_PATH: dir }, 'directory'],
    ];
    for (const [env, needle] of cases) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'sandbox-agent/src/main.ts'], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH, ...base(), ...env, SANDBOX_AGENT_PORT: '0' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status, needle).not.toBe(0);
      expect(r.stderr + r.stdout).toContain(needle);
    }
  });

  it('headless mode: DNS URL, one API write per acquire, caps give 429', async () => {
    const h = await startAgent({
      ...base(),
      SANDBOX_SERVICE_TYPE: 'Headless',
      SANDBOX_AGENT_HEADLESS_SERVICE: 'sbx',
      SANDBOX_AGENT_CLUSTER_DOMAIN: 'example.internal',
      SANDBOX_AGENT_MAX_SANDBOXES_PER_USER: '3',
      SANDBOX_AGENT_RELEASE: 'rel-h',
    });
    try {
      const writes = async () => {
        const text = (await call(h, 'GET', '/metrics', undefined, {})).text;
        let n = 0;
        for (const m of text.matchAll(/^sandbox_agent_kube_requests_total\{verb="(create|update|patch|delete)"[^}]*\} (\d+)/gm)) n += Number(m[2]);
        return n;
      };
      const w0 = await writes();
      for (const id of ['h1', 'h2', 'h3']) {
        const r = await call(h, 'POST', '/api/sandboxes', { sandbox_id: id, user_id: 'capped' });
        expect(r.status).toBe(200);
        expect((r.json as { sandbox_url: string }).sandbox_url).toBe(`http://sandbox-${id}.sbx.${ns}.svc.example.internal:8080`);
      }
      expect((await writes()) - w0).toBe(3);
      const over = await call(h, 'POST', '/api/sandboxes', { sandbox_id: 'h4', user_id: 'capped' });
      expect(over.status).toBe(429);
      expect((over.json as { detail: string }).detail).toContain('SANDBOX_AGENT_MAX_SANDBOXES_PER_USER');
      const pod = await a.core.readNamespacedPod({ namespace: ns, name: 'sandbox-h1' });
      expect(pod.spec?.hostname).toBe('sandbox-h1');
      expect(pod.spec?.subdomain).toBe('sbx');
      expect(pod.metadata?.labels?.['app.kubernetes.io/instance']).toBe('rel-h');
      expect(await serviceNames(a, ns)).not.toContain('sandbox-h1-svc');
    } finally {
      await h.stop();
    }
  });

  it('ClusterIP mode URL and a clear ?wait=ready timeout with the scheduling reason (§6.10)', async () => {
    const c = await startAgent({ ...base(), SANDBOX_SERVICE_TYPE: 'ClusterIP', SANDBOX_AGENT_POD_NODE_SELECTOR: '{"no-such-label":"x"}' });
    try {
      const r = await call(c, 'POST', '/api/sandboxes?wait=ready&timeout=3', { sandbox_id: 'cip1' });
      expect(r.status).toBe(504);
      expect((r.json as { detail: string }).detail).toMatch(/not ready within 3s: Unschedulable/);
      const g = await call(c, 'GET', '/api/sandboxes/cip1');
      expect((g.json as { sandbox_url: string }).sandbox_url).toBe(`http://sandbox-cip1-svc.${ns}.svc.cluster.local:8080`);
      expect((g.json as { reason: string }).reason).toMatch(/Unschedulable/);
    } finally {
      await c.stop();
    }
  });
});

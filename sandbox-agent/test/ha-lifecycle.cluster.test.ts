// Lifecycle and HA with two real agent processes: TTL reaping, release, Lease failover after a
// real kill -9 (the e2e's in-cluster replicas can only be force-deleted), lease hand-back on
// SIGTERM, and the Service sweep. The duplicate-create race over both replicas and garbage
// collection through the owner on helm uninstall are proven once, by the e2e against the
// installed release (concurrency suite; uninstall suite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { type Admin, type Agent, admin, call, createNamespace, deleteNamespace, eventually, podNames, serviceNames, startAgent } from './agent-process.js';

const kubeconfig = inject('kubeconfig');
const LEASE = 4;
let a: Admin;
let ns: string;
const agents: Agent[] = [];

const env = (name: string, extra: Record<string, string> = {}) => ({
  KUBECONFIG_PATH: kubeconfig,
  K8S_NAMESPACE: ns,
  PROVISIONER_API_KEY: 'k',
  POD_NAME: name,
  SANDBOX_SERVICE_TYPE: 'Headless',
  SANDBOX_AGENT_HEADLESS_SERVICE: 'sbx',
  SANDBOX_AGENT_RELEASE: 'rel',
  SANDBOX_AGENT_OWNER_CONFIGMAP: 'owner',
  SANDBOX_AGENT_LEASE_DURATION_SECONDS: String(LEASE),
  SANDBOX_AGENT_REAPER_INTERVAL_SECONDS: '0.5',
  SANDBOX_AGENT_START_GRACE_SECONDS: '1',
  SANDBOX_AGENT_RELEASED_TTL_SECONDS: '2',
  SANDBOX_AGENT_IDLE_TTL_SECONDS: '6',
  SANDBOX_AGENT_TOUCH_MIN_INTERVAL_SECONDS: '0',
  ...extra,
});

const holder = async () => (await a.coord.readNamespacedLease({ namespace: ns, name: 'sandbox-agent-reaper' }).catch(() => undefined))?.spec?.holderIdentity;

beforeAll(async () => {
  a = admin(kubeconfig);
  ns = await createNamespace(a, 'sa-ha');
  await a.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'owner' } } });
});
afterAll(async () => {
  for (const ag of agents) await ag.stop('SIGKILL');
  await deleteNamespace(a, ns);
});

describe('two replicas', () => {
  let A: Agent;
  let B: Agent;
  beforeAll(async () => {
    [A, B] = await Promise.all([startAgent(env('agent-a')), startAgent(env('agent-b'))]);
    agents.push(A, B);
  });

  it('reaps released and idle sandboxes, keeps touched ones', async () => {
    for (const id of ['rel1', 'idle1', 'busy1']) expect((await call(A, 'POST', '/api/sandboxes', { sandbox_id: id })).status).toBe(200);
    expect((await call(B, 'POST', '/api/sandboxes/rel1/release')).json).toMatchObject({ released: true });
    const t0 = Date.now();
    await eventually(async () => !(await podNames(a, ns)).includes('sandbox-rel1'), 8000, 'released sandbox reaped');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(await podNames(a, ns)).toContain('sandbox-idle1');
    // keep busy1 alive with touches while idle1 crosses its 6 s idle TTL
    const stopAt = Date.now() + 9000;
    while (Date.now() < stopAt && (await podNames(a, ns)).includes('sandbox-idle1')) {
      expect((await call(A, 'POST', '/api/sandboxes/busy1/touch')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(await podNames(a, ns)).not.toContain('sandbox-idle1');
    expect(await podNames(a, ns)).toContain('sandbox-busy1');
    const metrics = (await call((await holder()) === 'agent-a' ? A : B, 'GET', '/metrics', undefined, {})).text;
    expect(metrics).toMatch(/sandbox_agent_reaps_total\{reason="released_ttl"\} [1-9]/);
    expect(metrics).toMatch(/sandbox_agent_reaps_total\{reason="idle_ttl"\} [1-9]/);
  });

  it('after kill -9 of the leader the other replica takes over reaping within the lease duration', async () => {
    const leaderName = await eventually(holder, 5000, 'a lease holder');
    const [leader, follower] = leaderName === 'agent-a' ? [A, B] : [B, A];
    expect((await call(follower, 'POST', '/api/sandboxes', { sandbox_id: 'keep1' })).status).toBe(200);
    expect((await call(follower, 'POST', '/api/sandboxes', { sandbox_id: 'rel2' })).status).toBe(200);
    const before = await podNames(a, ns);
    leader.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await leader.exited;
    await call(follower, 'POST', '/api/sandboxes/rel2/release');
    const newHolder = await eventually(async () => ((await holder()) !== leaderName ? holder() : undefined), (LEASE + 2) * 1000, 'new lease holder');
    expect(newHolder).toBe(leaderName === 'agent-a' ? 'agent-b' : 'agent-a');
    expect(Date.now() - killedAt).toBeLessThanOrEqual((LEASE + 1) * 1000);
    await eventually(async () => !(await podNames(a, ns)).includes('sandbox-rel2'), 8000, 'rel2 reaped by the new leader');
    // nothing lost: every other sandbox is still there
    expect(await podNames(a, ns)).toEqual(before.filter((n) => n !== 'sandbox-rel2'));
  });

  it('SIGTERM hands the lease back and exits 0', async () => {
    const survivor = A.proc.exitCode === null && A.proc.signalCode === null ? A : B;
    expect(await survivor.stop('SIGTERM')).toBe(0);
    const lease = await a.coord.readNamespacedLease({ namespace: ns, name: 'sandbox-agent-reaper' });
    expect(lease.spec?.holderIdentity ?? '').toBe('');
  });
});

describe('service mode sweep', () => {
  it('repairs a Pod whose Service is missing and removes a Service whose Pod is gone', async () => {
    const S = await startAgent(env('agent-s', { SANDBOX_SERVICE_TYPE: 'ClusterIP', SANDBOX_AGENT_LEASE_NAME: 'svc-reaper' }));
    agents.push(S);
    try {
      for (const id of ['sw1', 'sw2']) expect((await call(S, 'POST', '/api/sandboxes', { sandbox_id: id })).status).toBe(200);
      const svcUid = (await a.core.readNamespacedService({ namespace: ns, name: 'sandbox-sw1-svc' })).metadata?.uid;
      await a.core.deleteNamespacedService({ namespace: ns, name: 'sandbox-sw1-svc' });
      await a.core.deleteNamespacedPod({ namespace: ns, name: 'sandbox-sw2', gracePeriodSeconds: 0 });
      await eventually(async () => {
        const svcs = await serviceNames(a, ns);
        return svcs.includes('sandbox-sw1-svc') && !svcs.includes('sandbox-sw2-svc');
      }, 10_000, 'sweep repair and removal');
      expect((await a.core.readNamespacedService({ namespace: ns, name: 'sandbox-sw1-svc' })).metadata?.uid).not.toBe(svcUid);
    } finally {
      await S.stop();
    }
  });
});

// ≥1000 random invalid requests: only 4xx answers and no Kubernetes objects created.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { type Admin, type Agent, admin, createNamespace, deleteNamespace, podNames, serviceNames, startAgent } from './agent-process.js';

const kubeconfig = inject('kubeconfig');
let a: Admin;
let ns: string;
let agent: Agent;

// Deterministic PRNG so a failure is reproducible from the seed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  a = admin(kubeconfig);
  ns = await createNamespace(a, 'sa-fuzz');
  agent = await startAgent({ KUBECONFIG_PATH: kubeconfig, K8S_NAMESPACE: ns, PROVISIONER_API_KEY: 'k', DEER_FLOW_HOST_BASE_DIR: '/state', LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await agent?.stop();
  await deleteNamespace(a, ns);
});

it('1200 invalid bodies and ids get only 4xx and create nothing', async () => {
  const r = rng(Number(process.env.FUZZ_SEED ?? 42));
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const junkString = () => {
    const alphabet = 'aZ_.-/ é\u0000{}"\\0123456789';
    return Array.from({ length: 1 + Math.floor(r() * 70) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
  };
  const badId = () => pick(['Bad_ID', 'UPPER', 'a.b', '-lead', 'trail-', 'x'.repeat(52), '', ' ', 'ü', '../x', junkString().toUpperCase() + 'A']);
  const validId = () => `f${Math.floor(r() * 1e9).toString(16)}`;
  const mutations: (() => unknown)[] = [
    () => ({ sandbox_id: badId() }),
    () => ({ sandbox_id: pick([null, 1, true, [], {}]) }),
    () => ({ thread_id: 't' }),
    () => ({ sandbox_id: validId(), thread_id: pick(['', 'a.b', '../e', 'x'.repeat(65), 5, [], junkString() + '/']) }),
    () => ({ sandbox_id: validId(), user_id: pick(['', null, 'a/b', 'a b', 7, {}, junkString() + '!']) }),
    () => ({ sandbox_id: validId(), extra_mounts: pick([null, 'x', 5, {}, [1], [{}], [{ host_path: 1, container_path: '/mnt/acp-workspace' }]]) }),
    () => ({ sandbox_id: validId(), extra_mounts: [{ host_path: pick(['/etc', 'rel', '/stateX/a', '/']), container_path: '/mnt/acp-workspace' }] }),
    () => ({ sandbox_id: validId(), extra_mounts: [{ host_path: '/state/a', container_path: pick(['/mnt/secrets', 'rel', '/', '/mnt/skills']) }] }),
    () => ({ sandbox_id: validId(), include_legacy_skills: pick(['maybe', 2, [], {}, null]) }),
    () => ({ sandbox_id: validId(), provision_lark_cli_broker: pick(['nah', 3.5, null]) }),
    () => pick([[], 'str', 12, null, true]),
    () => `{${junkString()}`,
  ];
  const requests: { method: string; path: string; body?: string }[] = [];
  for (let i = 0; i < 1000; i++) {
    const m = pick(mutations)();
    requests.push({ method: 'POST', path: '/api/sandboxes', body: typeof m === 'string' ? m : JSON.stringify(m) });
  }
  for (let i = 0; i < 200; i++) requests.push({ method: 'GET', path: `/api/sandboxes/${encodeURIComponent(badId() || 'zz')}` });

  const statuses = new Map<number, number>();
  const failures: string[] = [];
  for (let i = 0; i < requests.length; i += 25) {
    const batch = requests.slice(i, i + 25);
    const rs = await Promise.all(
      batch.map(async (q) => {
        const res = await fetch(agent.url + q.path, { method: q.method, headers: { 'X-API-Key': 'k', 'content-type': 'application/json' }, ...(q.body !== undefined ? { body: q.body } : {}) });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    rs.forEach((s, j) => {
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
      if (s < 400 || s >= 500) failures.push(`${s} ${batch[j]?.method} ${batch[j]?.path} ${batch[j]?.body}`);
    });
  }
  expect(failures.slice(0, 5)).toEqual([]);
  expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
  expect(await podNames(a, ns)).toEqual([]);
  expect(await serviceNames(a, ns)).toEqual([]);
});

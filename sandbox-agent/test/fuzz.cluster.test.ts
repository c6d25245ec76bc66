// 1200 seeded invalid requests (malformed.ts) against a real API server: only 4xx answers and no
// Kubernetes objects created. The same requests run in process in app.test.ts in a second.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { type Admin, type Agent, admin, createNamespace, deleteNamespace, podNames, serviceNames, startAgent } from './agent-process.js';
import { malformedRequests } from './malformed.js';

const kubeconfig = inject('kubeconfig');
let a: Admin;
let ns: string;
let agent: Agent;

beforeAll(async () => {
  a = admin(kubeconfig);
  ns = await createNamespace(a, 'sa-fuzz');
  agent = await startAgent({ KUBECONFIG_PATH: kubeconfig, K8S_NAMESPACE: ns, PROVISIONER_API_KEY: 'k', DEER_FLOW_HOST_BASE_DIR: '/state', LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await agent?.stop();
  await deleteNamespace(a, ns);
});

it('1200 invalid bodies and ids get only 4xx JSON errors and create nothing', async () => {
  const requests = malformedRequests(Number(process.env.FUZZ_SEED ?? 42));

  const statuses = new Map<number, number>();
  const failures: string[] = [];
  for (let i = 0; i < requests.length; i += 25) {
    const batch = requests.slice(i, i + 25);
    const rs = await Promise.all(
      batch.map(async (q) => {
        const res = await fetch(agent.url + q.path, { method: q.method, headers: { 'X-API-Key': 'k', 'content-type': 'application/json' }, ...(q.body !== undefined ? { body: q.body } : {}) });
        await res.arrayBuffer();
        return { status: res.status, json: res.headers.get('content-type') === 'application/json' };
      }),
    );
    rs.forEach(({ status: s, json }, j) => {
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
      if (s < 400 || s >= 500 || !json) failures.push(`${s}${json ? '' : ' (not JSON)'} ${batch[j]?.method} ${batch[j]?.path} ${batch[j]?.body?.slice(0, 120)}`);
    });
  }
  expect(failures.slice(0, 5)).toEqual([]);
  expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
  expect(await podNames(a, ns)).toEqual([]);
  expect(await serviceNames(a, ns)).toEqual([]);
});

// Least privilege: the agent runs with a token for a ServiceAccount bound to a Role equal to the
// chart's, works, and is denied everything else. Narrowing the Role reproduces the upstream
// error details for denied writes (contract §6.36–38).
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuthorizationV1Api, CoreV1Api, KubeConfig, type V1PolicyRule } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { type Admin, type Agent, admin, call, createNamespace, deleteNamespace, eventually, podNames, serviceNames, startAgent } from './agent-process.js';

const kubeconfig = inject('kubeconfig');
let a: Admin;
let ns: string;
let agent: Agent;
let saKubeconfig: string;

/** The Role the chart grants the agent (service mode needs the services rules). */
const chartRules = (): V1PolicyRule[] => [
  { apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'delete', 'patch'] },
  { apiGroups: [''], resources: ['services'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
  { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  { apiGroups: [''], resources: ['configmaps'], resourceNames: ['owner'], verbs: ['get'] },
];

/**
 * Replaces the Role, then waits until the API server's authorizer agrees with the new rules for
 * pods/services create/delete: RBAC changes reach the authorizer through a watch, and a request
 * made in between would see the old and the new rules within one agent call.
 */
async function setRules(rules: V1PolicyRule[]): Promise<void> {
  await a.rbac.replaceNamespacedRole({ namespace: ns, name: 'sandbox-agent', body: { metadata: { name: 'sandbox-agent' }, rules } });
  const authz = a.kc.makeApiClient(AuthorizationV1Api);
  const user = `system:serviceaccount:${ns}:sandbox-agent`;
  const checks = ['pods', 'services'].flatMap((resource) => ['create', 'delete'].map((verb) => ({ resource, verb })));
  const expected = (resource: string, verb: string): boolean =>
    rules.some((rule) => rule.resources?.includes(resource) && !rule.resourceNames && rule.verbs.includes(verb));
  await eventually(async () => {
    for (const { resource, verb } of checks) {
      const review = await authz.createSubjectAccessReview({
        body: { spec: { user, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'], resourceAttributes: { namespace: ns, resource, verb } } },
      });
      if (review.status?.allowed !== expected(resource, verb)) return undefined;
    }
    return true;
  }, 5000, 'the authorizer to apply the new Role');
}

beforeAll(async () => {
  a = admin(kubeconfig);
  ns = await createNamespace(a, 'sa-rbac');
  await a.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'owner' } } });
  await a.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'sandbox-agent' } } });
  await a.rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'sandbox-agent' }, rules: chartRules() } });
  await a.rbac.createNamespacedRoleBinding({
    namespace: ns,
    body: {
      metadata: { name: 'sandbox-agent' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'sandbox-agent' },
      subjects: [{ kind: 'ServiceAccount', name: 'sandbox-agent', namespace: ns }],
    },
  });
  const tr = await a.core.createNamespacedServiceAccountToken({ namespace: ns, name: 'sandbox-agent', body: { spec: { expirationSeconds: 3600, audiences: [] } } });
  const cluster = a.kc.getCurrentCluster();
  if (!cluster) throw new Error('no cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'sa', token: tr.status?.token ?? '' }],
    contexts: [{ name: 'sa', cluster: cluster.name, user: 'sa' }],
    currentContext: 'sa',
  });
  saKubeconfig = path.join(mkdtempSync(path.join(tmpdir(), 'sa-kc-')), 'config');
  writeFileSync(saKubeconfig, kc.exportConfig());
  agent = await startAgent({
    KUBECONFIG_PATH: saKubeconfig,
    K8S_NAMESPACE: ns,
    PROVISIONER_API_KEY: 'k',
    SANDBOX_SERVICE_TYPE: 'ClusterIP',
    SANDBOX_AGENT_OWNER_CONFIGMAP: 'owner',
    SANDBOX_AGENT_LEASE_DURATION_SECONDS: '3',
  });
});
afterAll(async () => {
  await agent?.stop();
  await deleteNamespace(a, ns);
});

it('works under the chart Role: create, list, lease, delete', async () => {
  expect((await call(agent, 'POST', '/api/sandboxes', { sandbox_id: 'r1' })).status).toBe(200);
  expect(((await call(agent, 'GET', '/api/sandboxes')).json as { count: number }).count).toBe(1);
  await eventually(async () => (await a.coord.readNamespacedLease({ namespace: ns, name: 'sandbox-agent-reaper' }).catch(() => undefined))?.spec?.holderIdentity, 8000, 'lease taken');
  expect((await call(agent, 'DELETE', '/api/sandboxes/r1')).status).toBe(200);
});

it('the Role denies everything outside what the agent needs', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(saKubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const denied = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'allowed';
    } catch (e) {
      return (e as { code?: number }).code;
    }
  };
  expect(await denied(core.listNamespacedSecret({ namespace: ns }))).toBe(403);
  expect(await denied(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'x' } } }))).toBe(403);
  expect(await denied(core.readNamespacedConfigMap({ namespace: ns, name: 'kube-root-ca.crt' }))).toBe(403);
  expect(await denied(core.listNamespacedPod({ namespace: 'default' }))).toBe(403);
  expect(await denied(core.createNamespace({ body: { metadata: { name: `x-${ns}` } } }))).toBe(403);
  expect(await denied(core.createNamespacedServiceAccountToken({ namespace: ns, name: 'sandbox-agent', body: { spec: { audiences: [] } } }))).toBe(403);
});

it('reports denied writes with the upstream details (§6.36–38)', async () => {
  expect((await call(agent, 'POST', '/api/sandboxes', { sandbox_id: 'r2' })).status).toBe(200);
  const rules = chartRules();
  await setRules(rules.map((r) => (r.resources?.[0] === 'pods' || r.resources?.[0] === 'services' ? { ...r, verbs: (r.verbs ?? []).filter((v) => v !== 'delete') } : r)));
  await eventually(async () => {
    const r = await call(agent, 'DELETE', '/api/sandboxes/r2');
    return r.status === 500 ? r : undefined;
  }, 5000, 'delete denied').then((r) => expect(r.json).toMatchObject({ detail: 'Partial cleanup: service: Forbidden, pod: Forbidden' }));

  await setRules(rules.map((r) => (r.resources?.[0] === 'pods' ? { ...r, verbs: (r.verbs ?? []).filter((v) => v !== 'create') } : r)));
  await eventually(async () => {
    const r = await call(agent, 'POST', '/api/sandboxes', { sandbox_id: 'r3' });
    return r.status === 500 ? r : undefined;
  }, 5000, 'pod create denied').then((r) => expect(r.json).toMatchObject({ detail: 'Pod creation failed: Forbidden' }));

  await setRules(rules.map((r) => (r.resources?.[0] === 'services' ? { ...r, verbs: (r.verbs ?? []).filter((v) => v !== 'create') } : r)));
  await eventually(async () => {
    const r = await call(agent, 'POST', '/api/sandboxes', { sandbox_id: 'r4' });
    return r.status === 500 ? r : undefined;
  }, 5000, 'service create denied').then((r) => expect(r.json).toMatchObject({ detail: 'Service creation failed: Forbidden' }));
  expect(await podNames(a, ns)).not.toContain('sandbox-r4');
  expect(await serviceNames(a, ns)).not.toContain('sandbox-r4-svc');
});

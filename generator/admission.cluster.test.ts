/**
 * D13 against the real API server: the chart's ValidatingAdmissionPolicy keeps the sandbox agent's
 * ServiceAccount on its own sandboxes even where its Role covers every Pod (sandboxes in the
 * release namespace, as in the local and kind profiles). Two releases share one namespace; the
 * chart's agent ServiceAccount, Role, RoleBinding and admission policy are applied for each, and
 * requests are made with a real token of release A's agent (TokenRequest), not impersonation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizationV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod, type V1Service } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../harness/e2e/context.js';
import { resolveTool } from '../harness/tools.js';
import { toKubeError } from '../sandbox-agent/src/kube.js';
import { sandboxLabels } from '../sandbox-agent/src/naming.js';
import { CHART_DIR, VALUES_DIR, helmBinary, outcome } from './test-tools.js';

const kubeconfig = inject('kubeconfig');
const suffix = String(process.pid % 100000);
const ns = `antler-vap-${suffix}`;
const A = `vapa${suffix}`;
const B = `vapb${suffix}`;
const workDir = mkdtempSync(join(tmpdir(), 'antler-vap-'));
/** A JSON merge patch (client-node sends JSON Patch by default). */
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const policyName = (release: string): string => `${ns}-${release}-deerflow-sandbox-agent`;

let admin: CoreV1Api;
let agentA: CoreV1Api;
let agentB: CoreV1Api;
let agentAuthz: AuthorizationV1Api;
let kubectl = '';

async function must(cmd: string, args: readonly string[]): Promise<string> {
  const r = await outcome(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The chart's RBAC and admission objects for one release (sandboxes in the release namespace, Services mode so the Role covers Services too). */
async function applyRelease(release: string): Promise<void> {
  const show = ['serviceaccount', 'role', 'rolebinding', 'admissionpolicy', 'admissionpolicybinding'].flatMap((f) => ['-s', `templates/sandbox/${f}.yaml`]);
  const manifest = await must(await helmBinary(4), ['template', release, CHART_DIR, '-n', ns, '-f', join(VALUES_DIR, 'profiles', 'local.yaml'), '--set', 'sandbox.serviceType=ClusterIP', ...show]);
  const file = join(workDir, `${release}.yaml`);
  writeFileSync(file, manifest);
  await must(kubectl, ['--kubeconfig', kubeconfig, 'apply', '-n', ns, '-f', file]);
}

/** A client that authenticates with a TokenRequest token of the release's agent ServiceAccount. */
async function agentConfig(release: string): Promise<KubeConfig> {
  const token = (await must(kubectl, ['--kubeconfig', kubeconfig, 'create', 'token', `${release}-deerflow-sandbox-agent`, '-n', ns, '--duration=1h'])).trim();
  const base = new KubeConfig();
  base.loadFromFile(kubeconfig);
  const cluster = base.getCurrentCluster();
  if (cluster === null) throw new Error('admin kubeconfig has no cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'agent', token }],
    contexts: [{ name: 'agent', cluster: cluster.name, user: 'agent', namespace: ns }],
    currentContext: 'agent',
  });
  return kc;
}

function pod(name: string, labels: Record<string, string>): V1Pod {
  return { metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } };
}

function svc(name: string, labels: Record<string, string>): V1Service {
  return { metadata: { name, labels }, spec: { ports: [{ port: 8080 }], selector: labels } };
}

const gatewayLabels = (release: string): Record<string, string> => ({
  'app.kubernetes.io/name': 'deerflow', 'app.kubernetes.io/instance': release, 'app.kubernetes.io/component': 'gateway',
});

/** The HTTP status of a request (201/200 on success) and the API server's message. */
async function attempt(call: () => Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await call();
    return { status: 200, message: '' };
  } catch (error) {
    const e = toKubeError(error);
    return { status: e.status, message: e.message };
  }
}

const denied = (r: { status: number; message: string }): void => {
  expect(r.status, r.message).toBe(403);
  expect(r.message).toContain(`ValidatingAdmissionPolicy '${policyName(A)}'`);
};

beforeAll(async () => {
  kubectl = await resolveTool('kubectl');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  admin = kc.makeApiClient(CoreV1Api);
  await admin.createNamespace({ body: { metadata: { name: ns } } });
  await applyRelease(A);
  await applyRelease(B);
  const a = await agentConfig(A);
  agentA = a.makeApiClient(CoreV1Api);
  agentAuthz = a.makeApiClient(AuthorizationV1Api);
  agentB = (await agentConfig(B)).makeApiClient(CoreV1Api);
  await admin.createNamespacedPod({ namespace: ns, body: pod('gateway-like', gatewayLabels(A)) });
  await admin.createNamespacedPod({ namespace: ns, body: pod('sandbox-of-b', sandboxLabels('of-b', B)) });
  // A new policy takes effect once the API server's policy informer has compiled it.
  await eventually('the admission policy to deny the agent an unlabelled Pod', 60_000, async () => {
    const r = await attempt(() => agentA.createNamespacedPod({ namespace: ns, body: pod('probe', {}), dryRun: 'All' }));
    return r.status === 403 && r.message.includes('ValidatingAdmissionPolicy');
  });
});

afterAll(async () => {
  for (const r of [A, B]) {
    await outcome(kubectl, ['--kubeconfig', kubeconfig, 'delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', policyName(r), '--ignore-not-found']);
  }
  await outcome(kubectl, ['--kubeconfig', kubeconfig, 'delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  rmSync(workDir, { recursive: true, force: true });
});

describe('D13: the agent token against the admission policy (real API server)', () => {
  it('RBAC alone would allow every write: the agent may create, patch and delete any Pod and Service in the namespace', async () => {
    for (const [verb, resource] of [['create', 'pods'], ['patch', 'pods'], ['delete', 'pods'], ['create', 'services'], ['delete', 'services']] as const) {
      const review = await agentAuthz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: ns, verb, resource } } } });
      expect(review.status?.allowed, `${verb} ${resource}`).toBe(true);
    }
  });

  it('allowed: its own sandbox Pod is created, patched and deleted', async () => {
    const body = pod('sandbox-own', sandboxLabels('own', A));
    expect((await attempt(() => agentA.createNamespacedPod({ namespace: ns, body }))).status).toBe(200);
    const patched = await attempt(() => agentA.patchNamespacedPod({ namespace: ns, name: 'sandbox-own', body: { metadata: { annotations: { 'sandbox.antler.dev/last-touch': 'now' } } } }, mergePatch));
    expect(patched.status, patched.message).toBe(200);
    const gone = await attempt(() => agentA.deleteNamespacedPod({ namespace: ns, name: 'sandbox-own' }));
    expect(gone.status, gone.message).toBe(200);
  });

  it('allowed: its own sandbox Service is created and deleted', async () => {
    const body = svc('sandbox-own-svc', sandboxLabels('own', A));
    const created = await attempt(() => agentA.createNamespacedService({ namespace: ns, body }));
    expect(created.status, created.message).toBe(200);
    const gone = await attempt(() => agentA.deleteNamespacedService({ namespace: ns, name: 'sandbox-own-svc' }));
    expect(gone.status, gone.message).toBe(200);
  });

  it('denied: deleting or patching a non-sandbox Pod (the gateway) of its own release', async () => {
    denied(await attempt(() => agentA.deleteNamespacedPod({ namespace: ns, name: 'gateway-like' })));
    denied(await attempt(() => agentA.patchNamespacedPod({ namespace: ns, name: 'gateway-like', body: { metadata: { labels: { x: 'y' } } } }, mergePatch)));
    const still = await admin.readNamespacedPod({ namespace: ns, name: 'gateway-like' });
    expect(still.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('denied: creating a Pod or Service without its sandbox labels', async () => {
    denied(await attempt(() => agentA.createNamespacedPod({ namespace: ns, body: pod('unlabelled', {}) })));
    denied(await attempt(() => agentA.createNamespacedPod({ namespace: ns, body: pod('fake-gateway', gatewayLabels(A)) })));
    denied(await attempt(() => agentA.createNamespacedService({ namespace: ns, body: svc('unlabelled-svc', { app: 'x' }) })));
  });

  it('denied: another release\'s sandboxes (delete, patch, create with its labels)', async () => {
    denied(await attempt(() => agentA.deleteNamespacedPod({ namespace: ns, name: 'sandbox-of-b' })));
    denied(await attempt(() => agentA.patchNamespacedPod({ namespace: ns, name: 'sandbox-of-b', body: { metadata: { annotations: { a: 'b' } } } }, mergePatch)));
    denied(await attempt(() => agentA.createNamespacedPod({ namespace: ns, body: pod('sandbox-posing-as-b', sandboxLabels('posing', B)) })));
  });

  it('denied: stripping its own sandbox labels off a sandbox Pod', async () => {
    expect((await attempt(() => agentA.createNamespacedPod({ namespace: ns, body: pod('sandbox-strip', sandboxLabels('strip', A)) }))).status).toBe(200);
    denied(await attempt(() => agentA.patchNamespacedPod({ namespace: ns, name: 'sandbox-strip', body: { metadata: { labels: { 'app.kubernetes.io/instance': null } } } }, mergePatch)));
    expect((await attempt(() => agentA.deleteNamespacedPod({ namespace: ns, name: 'sandbox-strip' }))).status).toBe(200);
  });

  it('the other release\'s agent manages its own sandboxes; the admin is not affected', async () => {
    const own = await attempt(() => agentB.patchNamespacedPod({ namespace: ns, name: 'sandbox-of-b', body: { metadata: { annotations: { a: 'b' } } } }, mergePatch));
    expect(own.status, own.message).toBe(200);
    const byAdmin = await attempt(() => admin.patchNamespacedPod({ namespace: ns, name: 'gateway-like', body: { metadata: { annotations: { a: 'b' } } } }, mergePatch));
    expect(byAdmin.status, byAdmin.message).toBe(200);
  });
});

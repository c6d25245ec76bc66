/**
 * The optional features against a real API server (kwok nodes, real kube-apiserver and
 * controllers, KEDA/Istio/prometheus-operator CRDs from their pinned modules):
 *
 * 1. every optional object (HPA, ScaledObject, ResourceQuota, LimitRange, Namespace with PSA
 *    labels, NetworkPolicies, Istio Gateway/VirtualService/ServiceEntry/DestinationRule,
 *    ServiceMonitor, PrometheusRule, dashboard ConfigMap) passes server-side validation
 *    (`kubectl apply --dry-run=server`), in two renders (HPA everywhere, KEDA everywhere);
 * 2. three tenants (values/tenants/*.yaml) installed side by side do not collide;
 * 3. each tenant's ResourceQuota rejects a Pod over quota and its LimitRange defaults a Pod
 *    without resources;
 * 4. RBAC isolation: tenant A's agent ServiceAccount can manage Pods only in A's sandbox namespace
 *    (`kubectl auth can-i` matrix over all tenant pairs and get/list/create/delete);
 * 5. a PDB whose minAvailable equals the replicas blocks an eviction (Eviction API → 429), while
 *    a PDB with budget left admits one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { resolveTool } from '../harness/tools.js';
import { waitFor } from '../harness/wait.js';
import { CHART_DIR, VALUES_DIR, helmBinary, mapLimit, outcome } from './test-tools.js';

const kubeconfig = inject('kubeconfig');
const prefix = `antler-feat-${process.pid}`;
const TENANTS = ['acme', 'globex', 'initech'] as const;
type Tenant = (typeof TENANTS)[number];
const ns = (t: Tenant): string => `${prefix}-${t}`;
const sbx = (t: Tenant): string => `${prefix}-${t}-sbx`;
const ALL_NS = `${prefix}-all`;
const ALL_SBX = `${prefix}-all-sbx`;
const LOCAL = join(VALUES_DIR, 'profiles', 'local.yaml');
const workDir = mkdtempSync(join(tmpdir(), 'antler-features-'));
let helm = '';
let kubectlBin = '';

async function must(cmd: string, args: readonly string[], input?: string): Promise<string> {
  const r = input === undefined ? await outcome(cmd, args) : await runWithInput(cmd, args, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function runWithInput(cmd: string, args: readonly string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(workDir, `stdin-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, input);
  return outcome(cmd, args.map((a) => (a === '-' ? file : a)));
}

const kubectl = (args: readonly string[], input?: string): Promise<string> => must(kubectlBin, ['--kubeconfig', kubeconfig, ...args], input);
const kubectlTry = (args: readonly string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  input === undefined ? outcome(kubectlBin, ['--kubeconfig', kubeconfig, ...args]) : runWithInput(kubectlBin, ['--kubeconfig', kubeconfig, ...args], input);

const set = (...pairs: string[]): string[] => pairs.flatMap((p) => ['--set', p]);

/** Every optional switch on (autoscaling engine chosen per render). */
function allSwitches(engine: 'hpa' | 'keda'): string[] {
  const scaled = ['gateway', 'frontend', 'nginx', 'sandbox.agent'];
  const prom = engine === 'keda'
    ? scaled.flatMap((c) => [
      `${c}.autoscaling.keda.prometheus.serverAddress=http://prometheus-operated.monitoring.svc:9090`,
      `${c}.autoscaling.keda.prometheus.query=sum(deerflow_pending_requests)`,
      `${c}.autoscaling.keda.fallback.replicas=2`,
    ])
    : [];
  return [
    '-f', LOCAL,
    ...set(
      // the local profile lacks the multi-worker prerequisites, so the gateway scales within 1..1
      ...scaled.map((c) => `${c}.autoscaling.${engine}.enabled=true`),
      'gateway.autoscaling.maxReplicas=1', 'gateway.autoscaling.minReplicas=1',
      ...prom,
      'resourceQuota.enabled=true', 'limitRange.enabled=true', 'limitRange.min.cpu=10m', 'limitRange.min.memory=16Mi',
      `sandbox.namespace=${ALL_SBX}`, 'sandbox.createNamespace=true', 'sandbox.podSecurity.enforce=privileged', 'sandbox.quota.enabled=true',
      'networkPolicy.enabled=true', 'networkPolicy.apiServer.cidrs[0]=10.0.0.1/32',
      'istio.ingress.enabled=true', 'istio.ingress.hosts[0]=deerflow.example.com', 'istio.ingress.gateway.credentialName=deerflow-tls',
      'istio.llm.enabled=true',
      'istio.llm.providers[0].name=relay-old', 'istio.llm.providers[0].host=relay.example.com', 'istio.llm.providers[0].weight=75',
      'istio.llm.providers[1].name=relay-new', 'istio.llm.providers[1].host=relay-v2.example.com', 'istio.llm.providers[1].weight=25',
      'monitoring.serviceMonitor.enabled=true', 'monitoring.prometheusRule.enabled=true', 'monitoring.grafanaDashboard.enabled=true',
      'ingress.enabled=true', 'ingress.host=deerflow.example.com',
      'global.storageClass=standard', 'gateway.dnsPolicy=None', 'frontend.schedulerName=default-scheduler', 'nginx.revisionHistoryLimit=2',
    ),
    // Every extension point, so the API server validates what users pass through.
    ...['--set-json', 'gateway.sidecars=[{"name":"proxy","image":"envoyproxy/envoy:v1.31.0","resources":{"requests":{"cpu":"10m","memory":"16Mi"},"limits":{"cpu":"100m","memory":"64Mi"}}}]'],
    ...['--set-json', 'gateway.initContainers=[{"name":"wait","image":"busybox:1.37.0","command":["true"],"resources":{"requests":{"cpu":"10m","memory":"16Mi"},"limits":{"cpu":"100m","memory":"64Mi"}}}]'],
    ...['--set-json', 'gateway.dnsConfig={"nameservers":["10.96.0.10"],"searches":["svc.cluster.local"],"options":[{"name":"ndots","value":"2"}]}'],
    ...['--set-json', 'gateway.lifecycleHooks={"postStart":{"exec":{"command":["true"]}},"preStop":{"sleep":{"seconds":3}}}'],
    ...['--set-json', 'nginx.hostAliases=[{"ip":"10.0.0.5","hostnames":["llm.internal"]}]'],
    ...['--set-json', 'nginx.args=["-g","daemon off;"]'],
    ...['--set-json', 'ingress.extraHosts=[{"name":"b.example.com"},{"name":"c.example.com","path":"/x","pathType":"Exact"}]', '--set-json', 'ingress.extraTls=[{"hosts":["b.example.com"],"secretName":"b-tls"}]'],
    ...['--set-json', 'extraObjects=[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{ .Release.Name }}-extra"},"data":{"ns":"{{ .Release.Namespace }}"}}]'],
  ];
}

async function render(release: string, namespace: string, args: readonly string[]): Promise<string> {
  return must(helm, ['template', release, CHART_DIR, '-n', namespace, '--kube-version', '1.36.0', ...args]);
}

interface Obj { kind: string; apiVersion: string; metadata: { name: string; namespace?: string } }
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => o !== null);

/** Tenant install args: local profile (kwok: no storage provisioner) + the tenant file + the features this test checks. */
function tenantArgs(t: Tenant): string[] {
  return [
    '-f', LOCAL, '-f', join(VALUES_DIR, 'tenants', `${t}.yaml`),
    ...set(
      `sandbox.namespace=${sbx(t)}`, 'sandbox.createNamespace=true', 'sandbox.podSecurity.enforce=privileged', 'sandbox.quota.enabled=true',
      'resourceQuota.enabled=true', 'limitRange.enabled=true', 'limitRange.min.cpu=10m', 'limitRange.min.memory=16Mi',
      'networkPolicy.enabled=true', 'networkPolicy.apiServer.cidrs[0]=10.0.0.1/32',
      // the local profile has one gateway and no multi-worker prerequisites
      'gateway.autoscaling.keda.enabled=false', 'frontend.autoscaling.hpa.enabled=true', 'frontend.autoscaling.minReplicas=1',
      'nginx.pdb.minAvailable=1',
    ),
    // initech runs its models through the LLM gateway (on in the production profile it is meant
    // for); the digest is a test value: kwok Pods pull nothing.
    ...(t === 'initech' ? set('llmGateway.enabled=true', `llmGateway.image.digest=sha256:${'0123456789abcdef'.repeat(4)}`) : []),
  ];
}

/** The Secrets a tenant brings itself: provider keys (or the LLM gateway's, whose keys they are) and the sandbox key. */
const EXISTING_SECRETS: Record<Tenant, string[]> = {
  acme: ['acme-llm-keys', 'acme-sandbox'],
  globex: ['globex-llm-keys', 'globex-sandbox'],
  initech: ['initech-llm-gateway', 'initech-sandbox'],
};

/** The existing Secrets a tenant's values reference (keys from the Deployments' secretKeyRefs), minus those the chart renders itself. */
async function tenantSecrets(t: Tenant): Promise<void> {
  type Env = { valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } };
  type Workload = Obj & { spec?: { template?: { spec?: { containers?: { env?: Env[] }[] } } } };
  const objs = docs(await render(t, ns(t), tenantArgs(t))) as Workload[];
  const rendered = new Set(objs.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name));
  const bySecret = new Map<string, Set<string>>();
  for (const o of objs.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
    for (const c of o.spec?.template?.spec?.containers ?? []) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref === undefined || ref.optional === true || rendered.has(ref.name)) continue;
        bySecret.set(ref.name, (bySecret.get(ref.name) ?? new Set()).add(ref.key));
      }
    }
  }
  expect([...bySecret.keys()].sort()).toEqual(EXISTING_SECRETS[t]);
  for (const [name, keys] of bySecret) {
    const literals = [...keys].map((k) => `--from-literal=${k}=${t}-test-value-0123456789abcdef`);
    await kubectl(['create', 'secret', 'generic', name, '-n', ns(t), ...literals]);
  }
}

const toMilli = (q: string): number => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);

beforeAll(async () => {
  helm = await helmBinary(4);
  kubectlBin = await resolveTool('kubectl');
  for (const n of [ALL_NS, ALL_SBX, ...TENANTS.map(ns)]) await kubectl(['create', 'namespace', n]);
  await Promise.all(TENANTS.map(tenantSecrets));
});

afterAll(async () => {
  await Promise.all(TENANTS.map((t) => outcome(helm, ['--kubeconfig', kubeconfig, 'uninstall', t, '-n', ns(t), '--ignore-not-found', '--wait', '--timeout', '60s'])));
  for (const n of [ALL_NS, ALL_SBX, ...TENANTS.flatMap((t) => [ns(t), sbx(t)])]) {
    await outcome(kubectlBin, ['--kubeconfig', kubeconfig, 'delete', 'namespace', n, '--wait=false', '--ignore-not-found']);
  }
  rmSync(workDir, { recursive: true, force: true });
});

describe('server-side validation of every optional object', () => {
  const expectedKinds = [
    'HorizontalPodAutoscaler', 'ScaledObject', 'ResourceQuota', 'LimitRange', 'Namespace', 'NetworkPolicy', 'Gateway', 'VirtualService',
    'ServiceEntry', 'DestinationRule', 'ServiceMonitor', 'PrometheusRule', 'Ingress', 'PersistentVolume',
    'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  ];
  let checked = 0;

  it.each(['hpa', 'keda'] as const)('the API server accepts the full render with every switch on (%s)', async (engine) => {
    const text = await render('full', ALL_NS, allSwitches(engine));
    const rendered = docs(text);
    const kinds = new Set(rendered.map((o) => o.kind));
    for (const k of expectedKinds.filter((k) => k !== (engine === 'hpa' ? 'ScaledObject' : 'HorizontalPodAutoscaler'))) expect(kinds, k).toContain(k);
    const out = await kubectl(['apply', '--dry-run=server', '-o', 'name', '-f', '-'], text);
    const accepted = out.trim().split('\n').filter((l) => l.length > 0);
    expect(accepted.length).toBe(rendered.length);
    const count = (kind: string): number => rendered.filter((o) => o.kind === kind).length;
    expect(count(engine === 'hpa' ? 'HorizontalPodAutoscaler' : 'ScaledObject')).toBe(4);
    expect(count('ResourceQuota')).toBe(2);
    expect(count('NetworkPolicy')).toBe(7);
    expect(count('ServiceEntry')).toBe(2);
    expect(count('DestinationRule')).toBe(2);
    expect(count('VirtualService')).toBe(2);
    // the Deployments leave replicas to the autoscaler
    for (const d of rendered.filter((o) => o.kind === 'Deployment')) expect((d as unknown as { spec: { replicas?: number } }).spec.replicas, d.metadata.name).toBeUndefined();
    checked += accepted.length;
  });

  it('the API server really validates: a VirtualService with a non-integer weight and a ScaledObject without triggers are rejected', async () => {
    const vs = {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'bad-weight', namespace: ALL_NS },
      spec: { hosts: ['x.example.com'], http: [{ route: [{ destination: { host: 'a.example.com' }, weight: 'heavy' }] }] },
    };
    const so = {
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'bad-so', namespace: ALL_NS },
      spec: { scaleTargetRef: { name: 'x' } },
    };
    const a = await kubectlTry(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(vs));
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/weight/);
    const b = await kubectlTry(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(so));
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/triggers/);
    expect(checked).toBeGreaterThan(0);
    console.log(`[features] objects accepted server-side (dry-run): ${checked}`);
  });
});

describe('three tenants side by side', () => {
  it('install in parallel, each into its own namespace, and become available', async () => {
    await Promise.all(TENANTS.map((t) => must(helm, ['--kubeconfig', kubeconfig, 'install', t, CHART_DIR, '-n', ns(t), ...tenantArgs(t), '--wait', '--timeout', '3m'])));
    for (const t of TENANTS) {
      const items = (JSON.parse(await kubectl(['get', 'deployments,statefulsets', '-n', ns(t), '-l', `app.kubernetes.io/instance=${t}`, '-o', 'json'])) as {
        items: { kind: string; metadata: { name: string }; spec: { replicas?: number }; status: { readyReplicas?: number } }[];
      }).items;
      expect(items.map((w) => `${w.kind}/${w.metadata.name}`).sort(), t).toEqual([
        `Deployment/${t}-deerflow-frontend`, `Deployment/${t}-deerflow-gateway`, ...(t === 'initech' ? [`Deployment/${t}-deerflow-llm-gateway`] : []),
        `Deployment/${t}-deerflow-nginx`, `Deployment/${t}-deerflow-sandbox-agent`,
        `StatefulSet/${t}-deerflow-postgresql`, `StatefulSet/${t}-deerflow-redis`,
      ]);
      for (const w of items) expect(w.status.readyReplicas ?? 0, `${t} ${w.metadata.name}`).toBe(w.spec.replicas ?? 1);
    }
    const manifests = await Promise.all(TENANTS.map((t) => must(helm, ['--kubeconfig', kubeconfig, 'get', 'manifest', t, '-n', ns(t)])));
    const installed = manifests.map((m) => docs(m).length);
    for (const n of installed) expect(n).toBeGreaterThan(40);
    console.log(`[features] objects created by the three tenant installs: ${installed.join(' + ')} = ${installed.reduce((a, b) => a + b, 0)}`);
  });

  it('do not collide: every object sits in its own tenant\'s namespaces, cluster-scoped objects are per tenant, and the tenant label is set', async () => {
    const seen = new Map<string, string>();
    for (const t of TENANTS) {
      const kinds = 'deployments,statefulsets,services,configmaps,secrets,serviceaccounts,roles,rolebindings,persistentvolumeclaims,poddisruptionbudgets,networkpolicies,resourcequotas,limitranges,horizontalpodautoscalers,serviceentries.networking.istio.io,destinationrules.networking.istio.io,virtualservices.networking.istio.io';
      const list = (JSON.parse(await kubectl(['get', kinds, '-A', '-l', `app.kubernetes.io/instance=${t}`, '-o', 'json'])) as {
        items: { kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> } }[];
      }).items;
      expect(list.length, t).toBeGreaterThan(30);
      for (const o of list) {
        expect([ns(t), sbx(t)], `${o.kind}/${o.metadata.name}`).toContain(o.metadata.namespace);
        expect(o.metadata.labels['antler.dev/tenant']).toBe(t);
        const key = `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
        expect(seen.has(key), key).toBe(false);
        seen.set(key, t);
      }
      const sandboxNs = JSON.parse(await kubectl(['get', 'namespace', sbx(t), '-o', 'json'])) as { metadata: { labels: Record<string, string> } };
      expect(sandboxNs.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
      expect(sandboxNs.metadata.labels['app.kubernetes.io/instance']).toBe(t);
      const pvs = (JSON.parse(await kubectl(['get', 'pv', '-l', `app.kubernetes.io/instance=${t}`, '-o', 'json'])) as { items: { metadata: { name: string } }[] }).items;
      expect(pvs.map((p) => p.metadata.name)).toEqual([`${ns(t)}-${t}-deerflow-skills`]);
    }
    const releases = JSON.parse(await must(helm, ['--kubeconfig', kubeconfig, 'list', '-A', '-o', 'json'])) as { name: string; namespace: string; status: string }[];
    for (const t of TENANTS) expect(releases.find((r) => r.name === t && r.namespace === ns(t))?.status).toBe('deployed');
  });

  it.each(TENANTS)('%s: a Pod over the ResourceQuota is rejected by the API server; LimitRange defaults fill a Pod without resources', async (t) => {
    const quotaName = `${t}-deerflow-quota`;
    const quota = await waitFor(`ResourceQuota ${quotaName} to count the release's CPU requests`, 30_000, async () => {
      const q = JSON.parse(await kubectl(['get', 'resourcequota', quotaName, '-n', ns(t), '-o', 'json'])) as { spec: { hard: Record<string, string> }; status: { hard?: Record<string, string>; used?: Record<string, string> } };
      return q.status.used?.['requests.cpu'] !== undefined && toMilli(q.status.used['requests.cpu']) > 0 && q;
    }, 1000);
    const hardCpu = toMilli(quota.spec.hard['requests.cpu'] ?? '0');
    const remaining = hardCpu - toMilli(quota.status.used?.['requests.cpu'] ?? '0');
    expect(hardCpu).toBeGreaterThan(0);
    // Containers within the LimitRange max (8 CPU) whose sum is the whole quota: more than what is left.
    const per = 8000;
    const n = Math.ceil(hardCpu / per);
    const cpu = `${Math.ceil(hardCpu / n)}m`;
    expect(n * toMilli(cpu)).toBeGreaterThan(remaining);
    const over = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'over-quota', namespace: ns(t) },
      spec: { containers: Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu, memory: '64Mi' }, limits: { cpu, memory: '64Mi' } } })) },
    };
    const rejected = await kubectlTry(['create', '-f', '-'], JSON.stringify(over));
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toMatch(/forbidden: exceeded quota: /);
    expect(rejected.stderr).toContain(quotaName);
    expect(rejected.stderr).toContain('requests.cpu');

    const bare = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'no-resources', namespace: ns(t) }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } };
    await kubectl(['create', '-f', '-'], JSON.stringify(bare));
    const pod = JSON.parse(await kubectl(['get', 'pod', 'no-resources', '-n', ns(t), '-o', 'json'])) as { spec: { containers: { resources: unknown }[] }; metadata: { annotations?: Record<string, string> } };
    expect(pod.spec.containers[0]?.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    expect(pod.metadata.annotations?.['kubernetes.io/limit-ranger']).toMatch(/LimitRanger plugin set/);
    await kubectl(['delete', 'pod', 'no-resources', '-n', ns(t), '--wait=false']);
  });

  it('RBAC: each agent ServiceAccount manages Pods in its own sandbox namespace and nowhere else (auth can-i matrix)', async () => {
    const verbs = ['get', 'list', 'create', 'delete'] as const;
    const cases = TENANTS.flatMap((a) => TENANTS.flatMap((b) => [sbx(b), ns(b)].flatMap((target) => verbs.map((verb) => ({ a, b, target, verb })))));
    const results = await mapLimit(cases, 6, async (c) => {
      const r = await kubectlTry(['auth', 'can-i', c.verb, 'pods', '-n', c.target, `--as=system:serviceaccount:${ns(c.a)}:${c.a}-deerflow-sandbox-agent`]);
      return { ...c, allowed: r.stdout.trim() === 'yes' };
    });
    const matrix: string[] = [];
    for (const r of results) {
      const expected = r.a === r.b && r.target === sbx(r.b);
      expect(r.allowed, `${r.a} agent ${r.verb} pods in ${r.target}`).toBe(expected);
      matrix.push(`${r.a}→${r.target.slice(prefix.length + 1)}:${r.verb}=${r.allowed ? 'yes' : 'no'}`);
    }
    expect(results.length).toBe(72);
    const denied = results.filter((r) => !r.allowed).length;
    console.log(`[features] RBAC matrix: ${results.length} checks, ${results.length - denied} allowed (own sandbox namespace), ${denied} denied (cross-tenant and release namespaces)\n  ${matrix.join('\n  ')}`);
  });

  it('PDB: an eviction beyond the budget is refused (429); one within the budget is admitted', async () => {
    const t: Tenant = 'acme';
    const pdbReady = async (name: string, healthy: number): Promise<void> => {
      const pdb = await waitFor(`PDB ${name} to observe ${healthy} healthy Pods`, 30_000, async () => {
        const p = JSON.parse(await kubectl(['get', 'pdb', name, '-n', ns(t), '-o', 'json'])) as { metadata: { generation: number }; status: { observedGeneration?: number; currentHealthy?: number } };
        return p.status.observedGeneration === p.metadata.generation && p.status.currentHealthy === healthy && p;
      }, 1000);
      expect(pdb.status.currentHealthy).toBe(healthy);
    };
    const podOf = async (component: string): Promise<string> => {
      const pods = JSON.parse(await kubectl(['get', 'pods', '-n', ns(t), '-l', `app.kubernetes.io/instance=${t},app.kubernetes.io/component=${component}`, '-o', 'json'])) as { items: { metadata: { name: string } }[] };
      expect(pods.items.length).toBe(1);
      return pods.items[0]?.metadata.name ?? '';
    };
    const evict = (pod: string): Promise<{ code: number; stdout: string; stderr: string }> =>
      kubectlTry(['create', '--raw', `/api/v1/namespaces/${ns(t)}/pods/${pod}/eviction`, '-f', '-'],
        JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: ns(t) } }));

    // nginx: one replica, minAvailable 1 → no disruption allowed.
    await pdbReady(`${t}-deerflow-nginx`, 1);
    const nginxPod = await podOf('nginx');
    const refused = await evict(nginxPod);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/429|TooManyRequests|Cannot evict pod as it would violate the pod's disruption budget/);
    const still = JSON.parse(await kubectl(['get', 'pod', nginxPod, '-n', ns(t), '-o', 'json'])) as { metadata: { deletionTimestamp?: string } };
    expect(still.metadata.deletionTimestamp).toBeUndefined();

    // gateway: one replica, maxUnavailable 1 → the eviction is admitted.
    await pdbReady(`${t}-deerflow-gateway`, 1);
    const gatewayPod = await podOf('gateway');
    const admitted = await evict(gatewayPod);
    expect(admitted.code, admitted.stderr).toBe(0);
  });
});

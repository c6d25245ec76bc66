// NetworkPolicies enforced on real Pods (the real node's kube-network-policies): a sandbox reaches
// DNS and nothing inside the cluster — not the metadata address, the agent, Postgres, Redis, the
// LLM gateway, another tenant's sandbox or another namespace — while the gateway side reaches the sandbox and
// every blocked target stays reachable from where the chart allows it (positive controls).
import { randomBytes } from 'node:crypto';
import { run } from '../../exec.js';
import { portListening } from '../../ports.js';
import { REAL_NODE_LABEL, REAL_NODE_TAINT } from '../../node/layout.js';
import { type E2eContext, assert, eventually, openHostPathUserData, podIp, sandboxIdOf, sandboxPods } from '../context.js';
import { nameOf } from '../kubectl.js';
import { SkipCheck } from '../report.js';

const METADATA_IP = '169.254.169.254';

export interface TenantRef {
  name: string;
  namespace: string;
  sandboxNamespace: string;
}

export async function isolationSuite(ctx: E2eContext, tenants: readonly TenantRef[]): Promise<void> {
  const { report, kube } = ctx;
  const node = ctx.realNode;
  if (!node) {
    await report.check('NetworkPolicies on real Pods', async () => {
      throw new SkipCheck('this cluster has no real node (kwok nodes run no containers or networks)');
    });
    return;
  }
  const tag = randomBytes(3).toString('hex');
  const ns = ctx.primary.namespace;
  const sandboxNs = ctx.primary.deployment.namespace;
  const outsiderNs = `e2e-outsider-${tag}`;
  const images = await node.loadImages(['busybox', 'sandbox-standin']);
  const placement = { nodeSelector: { [REAL_NODE_LABEL.key]: REAL_NODE_LABEL.value }, tolerations: [{ key: REAL_NODE_TAINT.key, operator: 'Exists', effect: REAL_NODE_TAINT.effect }] };
  const probePod = (name: string, namespace: string, labels: Record<string, string>, image: string, command?: string[]) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      ...placement,
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'main', image, imagePullPolicy: 'Never', ...(command ? { command } : {}),
        resources: { requests: { cpu: '5m', memory: '16Mi' }, limits: { memory: '128Mi' } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      }],
    },
  });
  const [gatewayDeployment] = await kube.deployments(ns, `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=gateway`);
  const gatewayLabels = gatewayDeployment?.spec?.selector.matchLabels;
  const otherTenant = tenants[0];
  const sandboxId = `n${tag}`;
  let sandbox = '';

  const exec = (namespace: string, pod: string, script: string) => kube.run(['exec', '-n', namespace, pod, '--', 'sh', '-c', script], { timeoutMs: 30_000 });
  /** TCP connect from a Pod: true when it connects within 3 s. */
  const connects = async (namespace: string, pod: string, ip: string, port: number) =>
    (await exec(namespace, pod, `if echo | nc -w 3 ${ip} ${port} >/dev/null 2>&1; then echo open; else echo closed; fi`)).trim() === 'open';
  const blocked = async (what: string, namespace: string, pod: string, ip: string, port: number) => {
    // New Pods become known to the enforcer through the API: wait until it holds, then require it to keep holding.
    await eventually(`${what} to be blocked`, 30_000, async () => !(await connects(namespace, pod, ip, port)), 500);
    for (let i = 0; i < 2; i += 1) assert(!(await connects(namespace, pod, ip, port)), `${what} is reachable`);
  };
  const reachable = (what: string, namespace: string, pod: string, ip: string, port: number) =>
    eventually(`${what} to be reachable`, 30_000, () => connects(namespace, pod, ip, port), 500);

  await report.check('set up: a real sandbox, a gateway-side probe, another namespace, a fake metadata endpoint, another tenant\'s sandbox', async () => {
    assert(gatewayLabels, 'no gateway selector labels');
    assert(otherTenant, 'no other tenant installed');
    const gateway = ctx.gateways()[0]!;
    const acquired = await gateway.acquire(sandboxId, `thread-${sandboxId}`, 'user-netpol', 90);
    assert(acquired.status === 200 && acquired.ready, `acquire: HTTP ${acquired.status}, ready=${acquired.ready}`);
    const pod = (await sandboxPods(ctx)).find((candidate) => sandboxIdOf(candidate) === sandboxId);
    assert(pod, 'no sandbox Pod');
    await openHostPathUserData(pod);
    sandbox = nameOf(pod);
    await kube.ensureNamespace(outsiderNs);
    await kube.apply({ apiVersion: 'v1', kind: 'List', items: [
      probePod('gateway-probe', ns, { ...gatewayLabels, 'antler.dev/e2e-probe': 'true' }, images.busybox as string, ['sleep', '3600']),
      probePod('outsider', outsiderNs, { app: 'outsider' }, images.busybox as string, ['sleep', '3600']),
      probePod('metadata', outsiderNs, { app: 'metadata' }, images['sandbox-standin'] as string),
      probePod(`sandbox-fake-${tag}`, otherTenant.sandboxNamespace, { 'app.kubernetes.io/name': 'deerflow-sandbox', 'app.kubernetes.io/component': 'sandbox', 'app.kubernetes.io/instance': otherTenant.name }, images['sandbox-standin'] as string),
    ] });
    for (const [namespace, name] of [[ns, 'gateway-probe'], [outsiderNs, 'outsider'], [outsiderNs, 'metadata'], [otherTenant.sandboxNamespace, `sandbox-fake-${tag}`]] as const) {
      await kube.run(['wait', '-n', namespace, '--for=condition=Ready', `pod/${name}`, '--timeout=90s']);
    }
    // The metadata address, routed to a Pod of ours: the address lives in that Pod's network
    // namespace and the host routes it there over the Pod bridge (removed with the bridge).
    const metadata = await kube.pod(outsiderNs, 'metadata');
    const containerId = metadata.status?.containerStatuses?.[0]?.containerID ?? '';
    const pid = await node.containerPid(containerId);
    await run('nsenter', ['-t', String(pid), '-n', 'ip', 'addr', 'add', `${METADATA_IP}/32`, 'dev', 'lo']);
    await run('ip', ['route', 'replace', `${METADATA_IP}/32`, 'via', podIp(metadata), 'dev', 'antler0']);
  });

  await report.check(`a sandbox cannot reach the metadata address ${METADATA_IP}; a Pod in another namespace can`, async () => {
    await reachable('metadata from another namespace', outsiderNs, 'outsider', METADATA_IP, 8080);
    await blocked('metadata from the sandbox', sandboxNs, sandbox, METADATA_IP, 8080);
  });

  for (const [component, port] of [['sandbox-agent', 8002], ['postgresql', 5432], ['redis', 6379], ['llm-gateway', 4000]] as const) {
    await report.check(`a sandbox cannot reach ${component}; the gateway side can`, async () => {
      const [target] = await kube.pods(ns, `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=${component}`);
      const ip = podIp(target);
      await reachable(`${component} from the gateway side`, ns, 'gateway-probe', ip, port);
      await blocked(`${component} from the sandbox`, sandboxNs, sandbox, ip, port);
    });
  }

  await report.check("a sandbox cannot reach another tenant's sandbox or a Pod in another namespace; the host can", async () => {
    const tenantSandbox = await kube.pod(otherTenant!.sandboxNamespace, `sandbox-fake-${tag}`);
    const outsider = await kube.pod(outsiderNs, 'metadata');
    for (const [what, target] of [[`${otherTenant!.name}'s sandbox`, tenantSandbox], ['a Pod in another namespace', outsider]] as const) {
      const ip = podIp(target);
      assert(await portListening(8080, ip), `${what} does not answer the host`);
      await blocked(`${what} from the sandbox`, sandboxNs, sandbox, ip, 8080);
    }
  });

  await report.check('the gateway side reaches the sandbox, another namespace does not; the sandbox resolves cluster DNS', async () => {
    const target = (await sandboxPods(ctx)).find((pod) => sandboxIdOf(pod) === sandboxId);
    const ip = podIp(target);
    await reachable('the sandbox from the gateway side', ns, 'gateway-probe', ip, 8080);
    await blocked('the sandbox from another namespace', outsiderNs, 'outsider', ip, 8080);
    const resolved = await exec(sandboxNs, sandbox, 'nslookup kubernetes.default.svc.cluster.local 2>&1 || true');
    assert(/10\.0\.0\.1\b/.test(resolved), `the sandbox cannot resolve cluster DNS: ${resolved}`);
  });

  await report.check("clean up the suite's Pods, namespace and route", async () => {
    await run('ip', ['route', 'del', `${METADATA_IP}/32`]).catch(() => undefined);
    await kube.run(['delete', 'pod', 'gateway-probe', '-n', ns, '--wait=false', '--ignore-not-found']);
    if (otherTenant) await kube.run(['delete', 'pod', `sandbox-fake-${tag}`, '-n', otherTenant.sandboxNamespace, '--wait=false', '--ignore-not-found']);
    await kube.run(['delete', 'namespace', outsiderNs, '--wait=false', '--ignore-not-found']);
    await ctx.gateways()[0]!.destroy(sandboxId);
  });
}

// The local backend's real node, checked the way kind's nodes would be: real containers with logs,
// exec and port-forward, cluster DNS and Services, in-cluster API access through the `kubernetes`
// Service, enforced NetworkPolicies (the patched kube-network-policies build), cgroup memory limits,
// no way out of the machine, and a stop that leaves the host exactly as it was.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalBackend } from '../cluster.js';
import { Kubectl } from '../e2e/kubectl.js';
import { run } from '../exec.js';
import { freePort } from '../ports.js';
import { eventually } from '../wait.js';
import { unpackedPackage } from '../images/debian.js';
import { resolveTool } from '../tools.js';
import { captureHostState, compareHostState, loadHostState } from './host-state.js';
import { NODE_NETWORK, REAL_NODE_LABEL, REAL_NODE_TAINT } from './layout.js';

const kubeconfig = inject('kubeconfig');
const backend = new LocalBackend(inject('clusterName'));
const choice = await backend.realNodeEnabled();
const enabled = choice.enabled;
const ns = `real-node-${process.pid}`;
let kube: Kubectl;
let images: Record<string, string> = {};

const onRealNode = { nodeSelector: { [REAL_NODE_LABEL.key]: REAL_NODE_LABEL.value }, tolerations: [{ key: REAL_NODE_TAINT.key, operator: 'Exists', effect: REAL_NODE_TAINT.effect }] };
const restricted = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } };

function pod(name: string, image: string, extra: { labels?: Record<string, string>; command?: string[]; memoryLimit?: string } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: name, ...extra.labels } },
    spec: {
      ...onRealNode,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main',
          image,
          imagePullPolicy: 'Never',
          ...(extra.command ? { command: extra.command } : {}),
          securityContext: restricted,
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: extra.memoryLimit ?? '128Mi' } },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
}

async function ready(name: string): Promise<void> {
  await kube.run(['-n', ns, 'wait', '--for=condition=Ready', `pod/${name}`, '--timeout=90s']);
}

/** `wget` from inside a Pod; resolves to the body, or the error text when it cannot connect. */
async function fetchFrom(podName: string, url: string): Promise<{ ok: boolean; text: string }> {
  try {
    // `timeout`, not wget's own -T: Debian's busybox wget crashes (SIGSEGV) when -T is given.
    return { ok: true, text: await kube.run(['-n', ns, 'exec', podName, '--', 'timeout', '5', 'wget', '-q', '-O', '-', url], { timeoutMs: 20_000 }) };
  } catch (error) {
    return { ok: false, text: (error as Error).message };
  }
}

describe.runIf(enabled)('real node', () => {
  beforeAll(async () => {
    kube = await Kubectl.create(kubeconfig);
    images = await backend.realNode.loadImages(['busybox', 'sandbox-standin']);
    await kube.ensureNamespace(ns);
    await kube.apply(pod('server', images['sandbox-standin'] as string, { labels: { role: 'server' } }));
    await kube.apply(pod('client', images.busybox as string, { labels: { role: 'client' }, command: ['sleep', '3600'] }));
    await kube.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'server', namespace: ns }, spec: { selector: { app: 'server' }, ports: [{ port: 80, targetPort: 8080 }] } });
    await ready('server');
    await ready('client');
  }, 300_000);

  afterAll(async () => {
    await kube?.run(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  });

  it('is a Ready node kwok does not manage, tainted so nothing lands on it by accident', async () => {
    const node = await kube.node(backend.realNode.name);
    expect(node.metadata?.labels?.[REAL_NODE_LABEL.key]).toBe(REAL_NODE_LABEL.value);
    expect(node.metadata?.annotations?.['kwok.x-k8s.io/node']).toBeUndefined();
    expect(node.spec?.taints?.map((t) => t.key)).toContain(REAL_NODE_TAINT.key);
    const plain = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain', namespace: ns }, spec: { containers: [{ name: 'c', image: 'localhost/antler/none:1' }] } };
    await kube.apply(plain);
    await eventually('the untolerated Pod to be scheduled', 30_000, async () => Boolean((await kube.pod(ns, 'plain')).spec?.nodeName));
    expect((await kube.pod(ns, 'plain')).spec?.nodeName).toMatch(/^kwok-node-/);
    await kube.run(['-n', ns, 'delete', 'pod', 'plain', '--wait=false']);
  });

  it('runs real containers: logs, exec and port-forward work', async () => {
    expect(await kube.run(['-n', ns, 'logs', 'server'])).toContain('sandbox stand-in listening on :8080');
    expect((await kube.run(['-n', ns, 'exec', 'client', '--', 'id', '-u'])).trim()).toBe('1000');
    const port = await freePort('127.0.0.1');
    const forward = execFile(await resolveTool('kubectl'), ['--kubeconfig', kubeconfig, '-n', ns, 'port-forward', 'pod/server', `${port}:8080`]);
    try {
      await eventually('the port-forward to answer', 20_000, async () => (await fetch(`http://127.0.0.1:${port}/v1/sandbox`).catch(() => undefined))?.status === 200);
    } finally {
      forward.kill();
    }
  });

  it('resolves Services through CoreDNS and routes ClusterIP traffic through kube-proxy', async () => {
    const byName = await fetchFrom('client', `http://server.${ns}.svc.${NODE_NETWORK.clusterDomain}/v1/sandbox`);
    expect(byName.ok, byName.text).toBe(true);
    expect(byName.text).toContain('antler-sandbox-standin');
    expect((await fetchFrom('client', 'http://server/v1/sandbox')).ok).toBe(true);
  });

  it('gives Pods the API server through the kubernetes Service, with a certificate valid for it', async () => {
    // Verified against the cluster CA from the Pod's ServiceAccount mount, by name and by Service IP.
    const script = "Promise.all(['https://kubernetes.default.svc/version','https://10.0.0.1/version'].map(u=>fetch(u).then(r=>r.text()))).then(t=>console.log(t.join('\\n')),e=>{console.error(String(e.cause??e));process.exit(1)})";
    const out = await kube.run(['-n', ns, 'exec', 'server', '--', 'sh', '-c', `NODE_EXTRA_CA_CERTS=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt node -e "${script}"`]);
    // Unauthenticated (no token mounted) but TLS-verified: the API answers 401/403 JSON, not a TLS error.
    expect(out).toMatch(/"kind":\s*"Status"|"gitVersion"/);
  });

  it('enforces NetworkPolicies with the patched kube-network-policies: deny, then allow by label', async () => {
    expect((await fetchFrom('client', 'http://server/v1/sandbox')).ok).toBe(true);
    await kube.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: ns }, spec: { podSelector: { matchLabels: { role: 'server' } }, policyTypes: ['Ingress'] } });
    await eventually('the deny-all policy to block the client', 30_000, async () => !(await fetchFrom('client', 'http://server/v1/sandbox')).ok, 500);
    await kube.apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-client', namespace: ns },
      spec: { podSelector: { matchLabels: { role: 'server' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 8080 }] }] },
    });
    await eventually('the allow policy to let the client in again', 30_000, async () => (await fetchFrom('client', 'http://server/v1/sandbox')).ok, 500);
    await kube.run(['-n', ns, 'delete', 'networkpolicy', 'deny', 'allow-client']);
  });

  it('kills a container at its cgroup memory limit (OOMKilled)', async () => {
    await kube.apply(pod('hog', images['sandbox-standin'] as string, { command: ['node', '-e', 'const a=[];for(;;){a.push(Buffer.alloc(8e6).fill(1))}'], memoryLimit: '48Mi' }));
    await eventually('the hog to be OOMKilled', 60_000, async () => {
      const hog = await kube.pod(ns, 'hog');
      return hog.status?.containerStatuses?.[0]?.state?.terminated?.reason === 'OOMKilled';
    }, 500);
  });

  it('lets nothing leave the machine: a host in a network namespace we made is reachable from the host, not from a Pod', async () => {
    const netns = `antler-outside-${process.pid}`;
    const busybox = path.join((await unpackedPackage('busybox')).root, 'bin/busybox');
    const hadNetnsDir = existsSync('/run/netns');
    await run('ip', ['netns', 'add', netns]);
    try {
      await run('ip', ['link', 'add', `ao${process.pid % 10000}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
      await run('ip', ['addr', 'add', '10.99.0.1/24', 'dev', `ao${process.pid % 10000}`]);
      await run('ip', ['link', 'set', `ao${process.pid % 10000}`, 'up']);
      await run('ip', ['-n', netns, 'addr', 'add', '10.99.0.2/24', 'dev', 'eth0']);
      await run('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
      await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
      await run('ip', ['-n', netns, 'route', 'add', 'default', 'via', '10.99.0.1']);
      const listener = execFile('ip', ['netns', 'exec', netns, process.execPath, '-e', "require('net').createServer((s) => s.end('outside\\n')).listen(9)"]);
      try {
        await eventually('the outside host to answer the host', 10_000, async () => (await run('sh', ['-c', `echo | ${busybox} nc -w 2 10.99.0.2 9`])).stdout.includes('outside'), 300);
        const fromPod = await kube.run(['-n', ns, 'exec', 'client', '--', 'sh', '-c', 'echo | nc -w 3 10.99.0.2 9 || echo blocked'], { timeoutMs: 20_000 });
        expect(fromPod.trim()).toBe('blocked');
      } finally {
        listener.kill();
      }
    } finally {
      await run('ip', ['netns', 'del', netns]);
      // `ip netns add` bind-mounts /run/netns on first use; put the host back as it was.
      if (!hadNetnsDir) {
        await run('umount', ['/run/netns']).catch(() => undefined);
        await rm('/run/netns', { recursive: true, force: true });
      }
    }
  });

  it('stops leaving the host as before, and starts again with its Pods back', async () => {
    const before = await loadHostState(backend.realNode.paths.hostSnapshot);
    expect(before, 'the real node recorded the host before it started').toBeDefined();
    await backend.realNode.stop();
    expect(compareHostState(before!, await captureHostState())).toEqual([]);
    await backend.realNode.prepareHost();
    await backend.realNode.start({ kubeconfig, caFile: `${backend.pkiDir}/ca.crt` });
    images = await backend.realNode.loadImages(['busybox', 'sandbox-standin']);
    await kube.run(['-n', ns, 'delete', 'pod', 'client', 'server', '--wait=true']);
    await kube.apply(pod('server', images['sandbox-standin'] as string, { labels: { role: 'server' } }));
    await kube.apply(pod('client', images.busybox as string, { labels: { role: 'client' }, command: ['sleep', '3600'] }));
    await ready('server');
    await ready('client');
    expect((await fetchFrom('client', 'http://server/v1/sandbox')).ok).toBe(true);
  });
});

if (!enabled) {
  describe('real node (not on this machine)', () => {
    it.skip(`skipped: ${choice.reason}`, () => undefined);
  });
}

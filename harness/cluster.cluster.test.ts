// The foundation's promises, checked against the running local control plane.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from './exec.js';
import { FAKE_NODE_ZONES } from './cluster.js';
import { resolveTool } from './tools.js';

const kubeconfig = inject('kubeconfig');
const namespace = `foundation-${process.pid}`;
let kubectlBin = '';

async function kubectl(args: string[], input?: string): Promise<string> {
  return (await run(kubectlBin, ['--kubeconfig', kubeconfig, ...args], { input })).stdout;
}

async function kubectlFails(args: string[]): Promise<string> {
  try {
    await kubectl(args);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected kubectl ${args.join(' ')} to fail`);
}

interface PodList {
  items: { metadata: { name: string; uid: string }; spec: { nodeName?: string }; status: { conditions?: { type: string; status: string }[] } }[];
}

beforeAll(async () => {
  kubectlBin = await resolveTool('kubectl');
  await kubectl(['create', 'namespace', namespace]);
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
});

describe('local cluster', () => {
  it('has 3 Ready kwok nodes spread over 3 zones', async () => {
    const nodes = JSON.parse(await kubectl(['get', 'nodes', '-l', 'antler.dev/node=kwok', '-o', 'json'])) as {
      items: { metadata: { labels: Record<string, string> }; status: { conditions: { type: string; status: string }[] } }[];
    };
    const ready = nodes.items.filter((node) => node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'));
    expect(ready).toHaveLength(3);
    const zones = new Set(ready.map((node) => node.metadata.labels['topology.kubernetes.io/zone']));
    expect([...zones].sort()).toEqual([...FAKE_NODE_ZONES]);
  });

  it('serves a real API: version and RBAC authorization are on', async () => {
    const version = JSON.parse(await kubectl(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string; minor: string } };
    expect(Number.parseInt(version.serverVersion.minor, 10)).toBeGreaterThanOrEqual(34);
    const apis = await kubectl(['api-versions']);
    expect(apis).toContain('rbac.authorization.k8s.io/v1');
  });

  it('brings a 3-replica Deployment to 3 Ready Pods within 30 s and replaces a deleted Pod', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1.0.0' }] },
        },
      },
    };
    const started = Date.now();
    await kubectl(['apply', '-f', '-'], JSON.stringify(deployment));
    await kubectl(['-n', namespace, 'rollout', 'status', 'deployment/web', '--timeout=30s']);
    expect(Date.now() - started).toBeLessThan(30_000);

    const pods = JSON.parse(await kubectl(['-n', namespace, 'get', 'pods', '-l', 'app=web', '-o', 'json'])) as PodList;
    expect(pods.items).toHaveLength(3);
    for (const pod of pods.items) {
      expect(pod.spec.nodeName).toMatch(/^kwok-node-/);
      expect(pod.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    }

    const victim = pods.items[0]!.metadata;
    await kubectl(['-n', namespace, 'delete', 'pod', victim.name, '--wait=true', '--timeout=30s']);
    await kubectl(['-n', namespace, 'wait', '--for=jsonpath={.status.readyReplicas}=3', 'deployment/web', '--timeout=30s']);
    const after = JSON.parse(await kubectl(['-n', namespace, 'get', 'pods', '-l', 'app=web', '-o', 'json'])) as PodList;
    const uids = after.items.map((pod) => pod.metadata.uid);
    expect(uids).toHaveLength(3);
    expect(uids).not.toContain(victim.uid);
  });

  it('denies Pod creation to a ServiceAccount without a Role', async () => {
    await kubectl(['-n', namespace, 'create', 'serviceaccount', 'nobody']);
    const subject = `system:serviceaccount:${namespace}:nobody`;
    // SelfSubjectAccessReview as the ServiceAccount (kubectl auth can-i exits 1 on "no").
    const canI = await kubectlFails(['auth', 'can-i', 'create', 'pods', '-n', namespace, '--as', subject]);
    expect(canI).toContain('no');
    // And the real request through impersonation is Forbidden by the API server.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'intruder', namespace }, spec: { containers: [{ name: 'c', image: 'registry.invalid/c:1' }] } };
    const realDenied = await run(kubectlBin, ['--kubeconfig', kubeconfig, 'create', '--as', subject, '-f', '-'], { input: JSON.stringify(pod) }).then(
      () => 'created',
      (error: Error) => error.message,
    );
    expect(realDenied).toContain('is forbidden');
    expect(realDenied).toContain(`User "${subject}" cannot create resource "pods"`);
    // The same account with a Role may: the denial came from RBAC, not from a broken API server.
    await kubectl(['-n', namespace, 'create', 'role', 'pod-maker', '--verb=create', '--resource=pods']);
    await kubectl(['-n', namespace, 'create', 'rolebinding', 'pod-maker', '--role=pod-maker', `--serviceaccount=${namespace}:nobody`]);
    await kubectl(['auth', 'can-i', 'create', 'pods', '-n', namespace, '--as', subject]);
  });
});

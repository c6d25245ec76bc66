/**
 * The component registry is the one source of the per-component facts: the model, the templates
 * and the rendered objects all follow it (autoscaling, PDB, ports, NetworkPolicy flows).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { sandboxLabels } from '../sandbox-agent/src/naming.js';
import { ALL_COMPONENTS, COMPONENTS, targetsOf } from './components.js';
import { SANDBOX_LABELS } from './templates/lib/sandbox-labels.js';
import { model } from './model/index.js';
import { isGroup, nodeAt } from './model/types.js';
import { allTemplates } from './templates/index.js';
import { join } from 'node:path';
import { CHART_DIR, REPO_ROOT, helmBinary, outcome } from './test-tools.js';

describe('component registry → model', () => {
  it.each(ALL_COMPONENTS.map((c) => [c.name, c] as const))('%s: the model has autoscaling, pdb, replicaCount and the Service port the registry says', (_name, c) => {
    const node = nodeAt(model, c.values.split('.'));
    expect(node !== undefined && isGroup(node)).toBe(true);
    if (node === undefined || !isGroup(node)) return;
    expect('autoscaling' in node.children).toBe(c.autoscaled);
    expect('pdb' in node.children).toBe(c.pdb);
    expect('replicaCount' in node.children).toBe(c.kind === 'Deployment');
    const port = nodeAt(node, ['service', 'port']);
    expect(port?.kind === 'integer' ? port.default : undefined).toBe(c.port.number);
  });
});

describe('component registry → templates', () => {
  const paths = new Set(allTemplates().map((t) => t.path));
  it.each(ALL_COMPONENTS.map((c) => [c.name, c] as const))('%s: HPA/ScaledObject only when autoscaled, PDB when pdb, a ServiceAccount and a NetworkPolicy always', (_name, c) => {
    expect(paths.has(`${c.dir}/hpa.yaml`)).toBe(c.autoscaled);
    expect(paths.has(`${c.dir}/scaledobject.yaml`)).toBe(c.autoscaled);
    expect(paths.has(`${c.dir}/pdb.yaml`)).toBe(c.pdb);
    expect(paths.has(`${c.dir}/serviceaccount.yaml`)).toBe(true);
    expect([...paths].some((p) => p.startsWith(`${c.dir}/networkpolicy`))).toBe(true);
  });
});

interface Obj {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

interface Peer { podSelector?: { matchLabels?: Record<string, string> } }
interface Rule { from?: Peer[]; to?: Peer[]; ports?: { port: number | string }[] }

describe('component registry → rendered objects', () => {
  const args = [
    '--set', 'networkPolicy.enabled=true', '--set', 'networkPolicy.apiServer.cidrs[0]=10.0.0.1/32',
    '--set', 'sandbox.enabled=true', '--set', 'sandbox.apiKey=0123456789abcdef', '--set', 'persistence.home.accessMode=ReadWriteMany',
    '--set', 'postgresql.mode=bundled', '--set', 'postgresql.auth.password=pw', '--set', 'redis.mode=bundled', '--set', 'redis.auth.password=pw',
    // The LLM gateway on, on the release's Redis (the valid gateway of the bad-values cases).
    '-f', join(REPO_ROOT, 'generator', 'bad-values', 'llm-gateway.yaml'), '--set', 'llmGateway.redis.mode=release',
  ];
  let objs: Obj[] = [];
  beforeAll(async () => {
    const r = await outcome(await helmBinary(4), ['template', 'demo', CHART_DIR, '-n', 'team-a', ...args]);
    if (r.code !== 0) throw new Error(r.stderr);
    objs = parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => o !== null);
  });
  const policy = (component: string): { ingress: Rule[]; egress: Rule[] } => {
    const p = objs.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === `demo-deerflow-${component}`);
    if (p === undefined) throw new Error(`no NetworkPolicy for ${component}`);
    return { ingress: (p.spec.ingress ?? []) as Rule[], egress: (p.spec.egress ?? []) as Rule[] };
  };
  const selects = (peers: Peer[] | undefined, component: string): boolean =>
    (peers ?? []).some((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/component'] === component && p.podSelector.matchLabels['app.kubernetes.io/instance'] === 'demo');

  it.each(ALL_COMPONENTS.map((c) => [c.name, c] as const))('%s: its container port, its clients in, its targets out on their ports', (_name, c) => {
    const workload = objs.find((o) => o.kind === c.kind && o.metadata.name === `demo-deerflow-${c.name}`);
    const containers = ((workload?.spec.template as { spec: { containers: { ports?: { name: string; containerPort: number }[] }[] } }).spec.containers);
    expect(containers[0]?.ports?.[0]).toEqual({ name: c.port.name, containerPort: c.port.number, protocol: 'TCP' });
    const mine = policy(c.name);
    for (const client of c.clients) {
      expect(mine.ingress.some((r) => selects(r.from, client) && (r.ports ?? []).some((p) => p.port === c.port.name)), `${client} → ${c.name} (ingress)`).toBe(true);
      const theirs = policy(client);
      expect(theirs.egress.some((r) => selects(r.to, c.name) && (r.ports ?? []).some((p) => p.port === c.port.number)), `${client} → ${c.name} (egress)`).toBe(true);
    }
    const allowedOut = new Set(targetsOf(c.name).map((t) => t.name));
    for (const rule of mine.egress) {
      for (const peer of rule.to ?? []) {
        const target = peer.podSelector?.matchLabels?.['app.kubernetes.io/component'];
        if (target !== undefined && target in COMPONENTS) expect(allowedOut.has(target as keyof typeof COMPONENTS), `${c.name} → ${target}`).toBe(true);
      }
    }
  });
});

describe('sandbox labels', () => {
  it('the chart selects sandboxes (headless Service, NetworkPolicies, admission policy) by labels the agent writes', () => {
    const written = sandboxLabels('some-id', 'REL');
    for (const [key, value] of SANDBOX_LABELS) expect(written[key], key).toBe(value.replace('{{ .Release.Name }}', 'REL'));
  });
});

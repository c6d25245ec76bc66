/**
 * The chart with real Helm: helm-unittest suites, `helm lint --strict` (Helm 3 and 4) on the
 * defaults and on every values file, full renders of every profile and tenant, and render-level
 * regressions that need two renders (determinism, checksums).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { HELM3_KUBE_VERSION } from '../harness/tool-manifest.js';
import { CHART_DIR, VALUES_DIR, helmBinary, mapLimit, outcome, unittestPlugins, type HelmMajor } from './test-tools.js';

const KUBE = ['--kube-version', '1.34.0'];
const PRODUCTION = join(VALUES_DIR, 'profiles', 'production.yaml');

function valuesFiles(): { profiles: string[]; tenants: string[] } {
  const list = (dir: string): string[] => readdirSync(join(VALUES_DIR, dir)).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(VALUES_DIR, dir, f));
  return { profiles: list('profiles'), tenants: list('tenants') };
}

async function template(args: readonly string[], major: HelmMajor = 4): Promise<string> {
  const r = await outcome(await helmBinary(major), ['template', 'demo', CHART_DIR, '-n', 'team-a', ...KUBE, ...args]);
  if (r.code !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
}

function objects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
}

function podAnnotations(text: string, kind: string, name: string): Record<string, string> {
  const obj = objects(text).find((o) => o.kind === kind && o.metadata.name === name);
  if (obj === undefined) throw new Error(`${kind}/${name} not rendered`);
  return obj.spec?.template?.metadata?.annotations ?? {};
}

describe('helm-unittest (real plugin)', () => {
  it('every suite passes', async () => {
    const helm = await helmBinary(4);
    const r = await outcome(helm, ['unittest', CHART_DIR], { HELM_PLUGINS: await unittestPlugins() });
    // eslint-disable-next-line no-control-regex
    const out = (r.stdout + r.stderr).replace(/\u001b\[[0-9;]*m/g, '');
    expect(out, out).toMatch(/Test Suites:\s+(\d+) passed, \1 total/);
    const tests = /Tests:\s+(\d+) passed, (\d+) total/.exec(out);
    expect(tests, out).not.toBeNull();
    expect(Number(tests?.[1])).toBe(Number(tests?.[2]));
    expect(Number(tests?.[1])).toBeGreaterThanOrEqual(250);
    expect(r.code).toBe(0);
  }, 300_000); // 250+ suites' renders: ~40 s on an idle 2-core machine, several minutes when it is shared
});

describe('default Kubernetes version', () => {
  async function defaultKubeVersion(major: HelmMajor): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'antler-kubeversion-'));
    try {
      mkdirSync(join(dir, 'templates'));
      writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: kv\nversion: 0.1.0\n');
      writeFileSync(join(dir, 'templates', 'kv.yaml'), 'kube: {{ .Capabilities.KubeVersion.Version }}\n');
      const r = await outcome(await helmBinary(major), ['template', 'kv', dir]);
      if (r.code !== 0) throw new Error(r.stderr);
      return /kube: (\S+)/.exec(r.stdout)?.[1] ?? '';
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('helm 3 (built by the tool manager) reports the Kubernetes minor of its client-go, as the official build does', async () => {
    expect(await defaultKubeVersion(3)).toBe(`v${HELM3_KUBE_VERSION.major}.${HELM3_KUBE_VERSION.minor}.0`);
  });

  it.each([4, 3] as const)('helm %i renders the chart without --kube-version (chart kubeVersion >=1.30)', async (major) => {
    const minor = Number(/^v1\.(\d+)\./.exec(await defaultKubeVersion(major))?.[1]);
    expect(minor).toBeGreaterThanOrEqual(30);
    const r = await outcome(await helmBinary(major), ['template', 'demo', CHART_DIR, '-n', 'team-a']);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('helm lint --strict', () => {
  const { profiles, tenants } = valuesFiles();
  const cases: { name: string; args: string[] }[] = [
    { name: 'defaults', args: [] },
    ...profiles.map((f) => ({ name: f.slice(VALUES_DIR.length + 1), args: ['-f', f] })),
    ...tenants.map((f) => ({ name: f.slice(VALUES_DIR.length + 1), args: ['-f', f] })),
    ...tenants.map((f) => ({ name: `profiles/production.yaml + ${f.slice(VALUES_DIR.length + 1)}`, args: ['-f', PRODUCTION, '-f', f] })),
  ];

  it.each([4, 3] as const)('helm %i passes on the defaults and every values file', async (major) => {
    const helm = await helmBinary(major);
    const results = await mapLimit(cases, 2, async (c) => ({ c, r: await outcome(helm, ['lint', '--strict', CHART_DIR, ...KUBE, ...c.args]) }));
    const failures = results.filter(({ r }) => r.code !== 0).map(({ c, r }) => `${c.name}:\n${r.stdout}${r.stderr}`);
    expect(failures).toEqual([]);
    expect(results.length).toBe(cases.length);
  });
});

describe('full renders', () => {
  const { profiles, tenants } = valuesFiles();

  it('every profile, and every tenant on top of production, renders (guards included)', async () => {
    const sets = [...profiles.map((f) => [f]), ...tenants.map((f) => [PRODUCTION, f])];
    const outputs = await mapLimit(sets, 2, (files) => template(files.flatMap((f) => ['-f', f])));
    for (const out of outputs) expect(objects(out).filter((o) => o.kind === 'Deployment').length).toBeGreaterThanOrEqual(3);
  });

  it('helm 3 renders the local profile identically to helm 4', async () => {
    const local = join(VALUES_DIR, 'profiles', 'local.yaml');
    const [a, b] = await Promise.all([template(['-f', local], 4), template(['-f', local], 3)]);
    expect(b).toBe(a);
  });

  it('D8: two renders are identical (no lookup, no random secrets)', async () => {
    const local = join(VALUES_DIR, 'profiles', 'local.yaml');
    const [a, b] = await Promise.all([template(['-f', local]), template(['-f', local])]);
    expect(b).toBe(a);
    const sources = readdirSync(join(CHART_DIR, 'templates'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(yaml|tpl|txt)$/.test(f))
      .map((f) => readFileSync(join(CHART_DIR, 'templates', f), 'utf8'))
      .join('\n');
    expect(sources).not.toMatch(/\{\{[^}]*\b(lookup|randAlpha\w*|randAscii|randNumeric|genPrivateKey|uuidv4)\b[^}]*\}\}/);
  });

  it('D17: changing a provider key or the sandbox key rolls the gateway; changing config rolls it too', async () => {
    const base = ['--set', 'deerflow.providers.apiKeys.RELAY_API_KEY=one', '--set', 'sandbox.enabled=true', '--set', 'sandbox.apiKey=0123456789abcdef', '--set', 'persistence.home.accessMode=ReadWriteMany'];
    const [a, key, sbx, cfg] = await mapLimit([
      base,
      [...base, '--set', 'deerflow.providers.apiKeys.RELAY_API_KEY=two'],
      [...base, '--set', 'sandbox.apiKey=fedcba9876543210'],
      [...base, '--set', 'deerflow.logLevel=debug'],
    ], 2, (args) => template(args));
    const ann = (out: string | undefined): Record<string, string> => podAnnotations(out ?? '', 'Deployment', 'demo-deerflow-gateway');
    expect(ann(key)['checksum/secret']).not.toBe(ann(a)['checksum/secret']);
    expect(ann(sbx)['checksum/secret']).not.toBe(ann(a)['checksum/secret']);
    expect(ann(cfg)['checksum/config']).not.toBe(ann(a)['checksum/config']);
    expect(ann(cfg)['checksum/secret']).toBe(ann(a)['checksum/secret']);
    const agent = (out: string | undefined): Record<string, string> => podAnnotations(out ?? '', 'Deployment', 'demo-deerflow-sandbox-agent');
    expect(agent(sbx)['checksum/secret']).not.toBe(agent(a)['checksum/secret']);
  });

  it('D7: every namespaced object of the local profile is in the release namespace, except sandbox-side objects when a sandbox namespace is set', async () => {
    const out = await template(['-f', join(VALUES_DIR, 'profiles', 'local.yaml'), '--set', 'sandbox.namespace=team-a-sbx', '--set', 'persistence.home.mode=hostPath']);
    const placed = objects(out).map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.namespace ?? '-'}`);
    const sandboxSide = new Set(['Role/demo-deerflow-sandbox-agent', 'RoleBinding/demo-deerflow-sandbox-agent', 'Service/demo-deerflow-sandboxes', 'ConfigMap/demo-deerflow-sandbox-owner', 'PersistentVolumeClaim/demo-deerflow-skills']);
    for (const p of placed) {
      const [id, ns] = p.split('@') as [string, string];
      if (/^(PersistentVolume|ValidatingAdmissionPolicy|ValidatingAdmissionPolicyBinding)\//.test(id)) expect(ns, id).toBe('-');
      else expect(ns, id).toBe(sandboxSide.has(id) ? 'team-a-sbx' : 'team-a');
    }
  });
});

/**
 * The chart and the sandbox agent share one environment contract (`sandbox-agent/src/env.ts`).
 * These tests hold the chart to it: every variable the chart renders into the agent Deployment is
 * declared there; every values leaf bound to a variable carries the agent's bounds in
 * values.schema.json; what the chart renders (defaults, every profile and tenant, all bounds at
 * their minimum and at their maximum) is accepted by the agent's own loader and round-trips to
 * the value that was set; and the chart's defaults equal the agent's except where the table says
 * why they differ.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { loadConfig, readAgentEnv } from '../sandbox-agent/src/config.js';
import { AGENT_ENV, type AgentEnvName, DEFAULT_SANDBOX_IMAGE, type EnvSpec, envSpec, valueSchema } from '../sandbox-agent/src/env.js';
import { CHART_POLICIES } from './model/agent-env.js';
import { CHART_DIR, VALUES_DIR, helmBinary, outcome } from './test-tools.js';

const ENTRIES = Object.entries(AGENT_ENV) as [AgentEnvName, EnvSpec][];
const BOUND = ENTRIES.flatMap(([name, spec]) => (spec.chart !== undefined && 'values' in spec.chart ? [{ name, spec, path: spec.chart.values, chart: spec.chart }] : []));

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { key: string }; fieldRef?: { fieldPath: string } };
}
interface Obj {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { template?: { spec?: { containers?: { name: string; env?: EnvVar[] }[] } } };
}

async function rendered(args: readonly string[], templates: readonly string[]): Promise<Obj[]> {
  const r = await outcome(await helmBinary(4), ['template', 'demo', CHART_DIR, '-n', 'team-a', '--kube-version', '1.34.0', ...args, ...templates.flatMap((t) => ['--show-only', `templates/${t}`])]);
  if (r.code !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => o !== null);
}

function containerEnv(docs: readonly Obj[], container: string): EnvVar[] {
  const c = docs.filter((o) => o.kind === 'Deployment').flatMap((o) => o.spec?.template?.spec?.containers ?? []).find((x) => x.name === container);
  if (!c?.env) throw new Error(`no ${container} container env rendered`);
  return c.env;
}

async function agentContainerEnv(args: readonly string[]): Promise<EnvVar[]> {
  return containerEnv(await rendered(args, ['sandbox/deployment.yaml']), 'sandbox-agent');
}

/** What the kubelet would put in the ownership Redis variables from their Secrets. */
const SECRET_STAND_INS: Record<string, string> = {
  SANDBOX_AGENT_OWNERSHIP_REDIS_URL: 'redis://:url-secret-password@redis.example.com:6380/2',
  SANDBOX_AGENT_OWNERSHIP_REDIS_PASSWORD: 'the-redis-password',
};

/** The environment the agent would see: Secret keys and the Pod name stand in for the kubelet. */
function processEnv(vars: readonly EnvVar[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of vars) {
    if (v.value !== undefined) out[v.name] = v.value;
    else if (v.valueFrom?.secretKeyRef) out[v.name] = SECRET_STAND_INS[v.name] ?? (v.valueFrom.secretKeyRef.key === 'extra-api-keys' ? 'rotated-key-1,rotated-key-2' : 'the-api-key');
    else if (v.valueFrom?.fieldRef?.fieldPath === 'metadata.name') out[v.name] = 'demo-agent-0';
    else throw new Error(`${v.name}: unexpected env source ${JSON.stringify(v)}`);
  }
  return out;
}

function at(root: unknown, path: string): unknown {
  let node = root;
  for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

/** The schema of a values path in chart/values.schema.json. */
const SCHEMA = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as unknown;
function schemaAt(path: string): Record<string, unknown> {
  let node = SCHEMA as { properties?: Record<string, unknown> };
  for (const key of path.split('.')) node = node.properties?.[key] as typeof node;
  if (node === undefined) throw new Error(`values.schema.json has no ${path}`);
  return node as Record<string, unknown>;
}

/** The parsed value an agent gets from the chart value `v` (the table's `note` encodings). */
function expectedParsed(name: AgentEnvName, v: unknown): unknown {
  if (name === 'SANDBOX_AGENT_POD_RUN_AS_USER') return v === 0 ? undefined : v;
  if (AGENT_ENV[name].default === undefined && v === '') return undefined;
  return v;
}

describe('agent env contract: declarations', () => {
  it('every values-bound setting carries the agent bounds (plus declared chart policy) in values.schema.json', () => {
    expect(BOUND.length).toBeGreaterThan(25);
    for (const { name, spec, path, chart } of BOUND) {
      const { description, default: def, ...bounds } = schemaAt(path);
      expect(bounds, `${path} (${name})`).toEqual({ ...valueSchema(spec), ...chart.policy, ...CHART_POLICIES[name] });
      expect(description, path).toContain(name);
      expect(def, `${path} default`).toEqual(chart.default ?? spec.default);
    }
  });

  it('every env entry in the generated Deployment template is declared and bound in the table', () => {
    const text = readFileSync(join(CHART_DIR, 'templates', 'sandbox', 'deployment.yaml'), 'utf8');
    const envBlock = text.slice(text.indexOf('env:'), text.indexOf('ports:', text.indexOf('env:')));
    const names = [...envBlock.matchAll(/^\s*- name: ([A-Z0-9_]+)$/gm)].map((m) => m[1] as string);
    expect(names.length).toBeGreaterThan(40);
    for (const n of names) expect(envSpec(n)?.chart, `${n} rendered by the chart`).toBeDefined();
    const bound = ENTRIES.filter(([, s]) => s.chart !== undefined).map(([n]) => n);
    expect(new Set(names)).toEqual(new Set(bound));
  });

  it('a chart default differs from the agent default only with a reason, and a reason only where it differs', () => {
    const chartValues = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as unknown;
    for (const { name, spec, path, chart } of BOUND) {
      const effective = expectedParsed(name, at(chartValues, path));
      const same = JSON.stringify(effective) === JSON.stringify(spec.default);
      expect(same, `${name}: chart default ${JSON.stringify(effective)}, agent default ${JSON.stringify(spec.default)}, reason: ${chart.why ?? 'none'}`).toBe(chart.why === undefined);
    }
  });

  it('the default sandbox image is pinned, not a floating tag', () => {
    expect(DEFAULT_SANDBOX_IMAGE).toMatch(/:[0-9][A-Za-z0-9_.-]*$/);
    expect(DEFAULT_SANDBOX_IMAGE).not.toMatch(/:latest$/);
  });
});

function deepMerge(base: unknown, over: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object' || over === null || Array.isArray(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
  return out;
}

function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = root;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1] as string] = value;
}

/** Every integer/number leaf at one end of its bounds. */
function atBounds(end: 'minimum' | 'maximum'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { spec, path } of BOUND) {
    if (spec.kind === 'integer') setAt(out, path, spec[end]);
    if (spec.kind === 'number') setAt(out, path, end === 'maximum' ? spec.maximum : spec.exclusiveMinimum !== undefined ? spec.exclusiveMinimum + 0.25 : (spec.minimum ?? 0));
  }
  return out;
}

describe('agent env contract: renders the agent accepts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sandboxOn = { sandbox: { enabled: true, apiKey: '0123456789abcdef0123' } };
  // Without a profile the home volume must be shareable by sandbox Pods (the chart guards D4).
  const bare = (values: Record<string, unknown>): Record<string, unknown> => deepMerge({ persistence: { home: { accessMode: 'ReadWriteMany' } } }, values) as Record<string, unknown>;
  const production = join(VALUES_DIR, 'profiles', 'production.yaml');
  const profiles = ['local', 'kind', 'production'].map((p) => ({ name: `profiles/${p}.yaml`, files: [join(VALUES_DIR, 'profiles', `${p}.yaml`)], values: {} }));
  const tenants = ['acme', 'globex', 'initech'].map((t) => ({ name: `profiles/production.yaml + tenants/${t}.yaml`, files: [production, join(VALUES_DIR, 'tenants', `${t}.yaml`)], values: {} }));
  const cases: { name: string; files?: string[]; values: Record<string, unknown> }[] = [
    { name: 'defaults', values: bare({}) },
    { name: 'NodePort mode, lark images and deny list set', values: bare({ sandbox: { serviceType: 'NodePort', nodeHost: '10.0.0.7', lark: { initImage: 'registry.example:5000/lark/init:1.2.3', brokerImage: 'registry.example/lark/broker:1.2.3', denySubcommands: 'auth token' }, pod: { runAsUser: 1000, runAsNonRoot: true, nodeSelector: { pool: 'sandbox' }, tolerations: [{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }], labels: { team: 'ai' }, annotations: { 'example.com/x': 'note' }, resources: { limits: { cpu: 2, 'nvidia.com/gpu': '1' } } } } }) },
    { name: 'every bound at its minimum', values: bare(atBounds('minimum')) },
    { name: 'every bound at its maximum', values: bare(atBounds('maximum')) },
    { name: 'external Redis (the ownership URL from its Secret)', values: bare({ redis: { mode: 'external', external: { url: 'redis://:pw@redis.example.com:6380/2' } } }) },
    ...profiles,
    ...tenants,
  ];
  it.each(cases)('$name', async ({ name, files = [], values }) => {
    const override = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
    const over = deepMerge(sandboxOn, values);
    writeFileSync(override, stringify(over));
    const env = processEnv(await agentContainerEnv([...files.flatMap((f) => ['-f', f]), '-f', override]));
    const parsed = readAgentEnv(env);
    const chartValues = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as unknown;
    const effective = [...files.map((f) => parse(readFileSync(f, 'utf8')) as unknown), over].reduce(deepMerge, chartValues);
    let checked = 0;
    for (const { name: v, path } of BOUND) {
      if (env[v] === undefined) continue; // conditional: NODE_HOST outside NodePort mode, an empty deny list
      expect(parsed[v], `${v} from ${path}`).toEqual(expectedParsed(v, at(effective, path)));
      checked++;
    }
    expect(checked).toBeGreaterThan(25);
  });
});

describe('agent env contract: ownership leases come from the Redis the gateway keeps them in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-leases-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = { sandbox: { enabled: true, apiKey: '0123456789abcdef0123' }, persistence: { home: { accessMode: 'ReadWriteMany' } } };
  const cases: { name: string; values: Record<string, unknown>; redis: 'agent-and-gateway' | 'none' }[] = [
    { name: 'bundled Redis, stream bridge auto', values: { redis: { mode: 'bundled', auth: { password: 'pw' } } }, redis: 'agent-and-gateway' },
    { name: 'external Redis', values: { redis: { mode: 'external', external: { existingSecret: 'ext-redis' } } }, redis: 'agent-and-gateway' },
    { name: 'bundled Redis, stream bridge memory', values: { redis: { mode: 'bundled', auth: { password: 'pw' } }, deerflow: { config: { streamBridge: 'memory' } } }, redis: 'none' },
    { name: 'no Redis', values: {}, redis: 'none' },
  ];
  it.each(cases)('$name', async ({ name, values, redis }) => {
    const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
    writeFileSync(file, stringify(deepMerge(base, values)));
    const docs = await rendered(['-f', file], ['sandbox/deployment.yaml', 'gateway/deployment.yaml', 'gateway/configmap.yaml']);
    const config = parse(docs.find((o) => o.kind === 'ConfigMap')?.data?.['config.yaml'] ?? '') as { sandbox: { ownership: { type: string } } };
    const agent = containerEnv(docs, 'sandbox-agent');
    const gateway = containerEnv(docs, 'gateway');
    const ownership = loadConfig(processEnv(agent)).ownership;
    if (redis === 'none') {
      expect(config.sandbox.ownership.type).toBe('memory');
      expect(ownership).toBeUndefined();
      return;
    }
    expect(config.sandbox.ownership.type).toBe('redis');
    const gatewayUrl = gateway.find((v) => v.name === 'DEER_FLOW_REDIS_URL');
    const agentUrl = agent.find((v) => v.name === 'SANDBOX_AGENT_OWNERSHIP_REDIS_URL');
    if (gatewayUrl?.valueFrom !== undefined) {
      // External: both read the same Secret key.
      expect(agentUrl?.valueFrom).toEqual(gatewayUrl.valueFrom);
      expect(agent.some((v) => v.name === 'SANDBOX_AGENT_OWNERSHIP_REDIS_PASSWORD')).toBe(false);
    } else {
      // Bundled: the same host, port and database as the gateway's URL, the password from the same Secret key.
      const g = new URL(gatewayUrl?.value ?? '');
      expect(ownership).toMatchObject({ host: g.hostname, port: Number(g.port), db: Number(g.pathname.slice(1)), keyPrefix: 'deerflow:sandbox:owner' });
      expect(agent.find((v) => v.name === 'SANDBOX_AGENT_OWNERSHIP_REDIS_PASSWORD')?.valueFrom).toEqual(gateway.find((v) => v.name === 'REDIS_PASSWORD')?.valueFrom);
    }
  });
});

// The environment table (src/env.ts) and the loader built on it (src/config.ts): defaults load,
// every out-of-bounds or malformed value is refused with an error naming the variable and the
// value, and docs/configuration.md is the table's current rendering.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, readAgentEnv } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { AGENT_ENV, type AgentEnvName, DEFAULT_SANDBOX_IMAGE, type EnvSpec } from '../src/env.js';
import { DOC_PATH, renderConfigurationDoc } from '../scripts/configuration-doc.js';

const ENTRIES = Object.entries(AGENT_ENV) as [AgentEnvName, EnvSpec][];

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

/** Values each kind of setting must refuse. */
function badValues(name: AgentEnvName, spec: EnvSpec): string[] {
  switch (spec.kind) {
    case 'integer':
      return [String(spec.minimum - 1), String(spec.maximum + 1), '1.5', 'ten', '0x10'];
    case 'number':
      return [String(spec.exclusiveMinimum ?? (spec.minimum ?? 0) - 1), String(spec.maximum * 2), 'fast', '1e', 'Infinity'];
    case 'boolean':
      return ['maybe', '2', 'truthy'];
    case 'string':
      if (spec.enum) return [`${spec.enum[0]}x`, (spec.enum[0] ?? '').toUpperCase()];
      return spec.pattern !== undefined && name !== 'SANDBOX_AGENT_RELEASE' ? ['has space', 'UPPER_case!', '{nope}'].filter((v) => !new RegExp(spec.pattern as string, 'u').test(v)) : [];
    case 'json':
      return ['{not json', '"a string"', '42'];
    case 'list':
      return [];
  }
}

describe('environment table', () => {
  it('loads with nothing set, and every default is what the table says', () => {
    const v = readAgentEnv({});
    for (const [name, spec] of ENTRIES) expect(v[name], name).toEqual(spec.default);
    const c = loadConfig({});
    expect(c.sandboxImage).toBe(DEFAULT_SANDBOX_IMAGE);
    expect(c.kubeQps).toBe(0);
    expect(c.serviceMode).toBe('NodePort');
  });

  it('has a description for every variable and a reason for every differing chart default', () => {
    for (const [name, spec] of ENTRIES) {
      expect(spec.description.length, name).toBeGreaterThan(10);
      if (spec.chart !== undefined && 'values' in spec.chart && spec.chart.why !== undefined) expect(spec.chart.default, name).not.toBeUndefined();
    }
  });

  const cases = ENTRIES.flatMap(([name, spec]) => badValues(name, spec).map((value) => ({ name, value })));
  it('covers every kind of setting', () => expect(cases.length).toBeGreaterThan(120));
  it.each(cases)('refuses $name=$value, naming both', ({ name, value }) => {
    const err = refusal({ [name]: value });
    expect(err.variable).toBe(name);
    expect(err.message).toContain(name);
    expect(err.message).toContain(value);
  });

  it.each([
    ['SANDBOX_AGENT_POD_TOLERATIONS', '[{"operator":"Maybe"}]', '0/operator: must be one of Exists, Equal'],
    ['SANDBOX_AGENT_POD_RESOURCES', '{"requests":{"cpu":"lots"}}', 'requests/cpu'],
    ['SANDBOX_AGENT_POD_RESOURCES', '{"limit":{}}', "unknown key 'limit'"],
    ['SANDBOX_AGENT_POD_NODE_SELECTOR', '{"bad key!":"x"}', "key 'bad key!'"],
    ['SANDBOX_AGENT_POD_LABELS', '{"team":"not ok"}', 'team'],
    ['SANDBOX_AGENT_POD_IMAGE_PULL_SECRETS', '["Not_A_Name"]', '0:'],
    ['SKILLS_PVC_SUBPATH_TEMPLATE', 'x/{nope}', 'only placeholders are {user_id} and {thread_id}'],
    ['SKILLS_PVC_SUBPATH_TEMPLATE', 'x/{user_id', 'only placeholders'],
  ])('%s=%s says where inside the value (%s)', (name, value, where) => {
    const err = refusal({ [name]: value });
    expect(err.variable).toBe(name);
    expect(err.message).toContain(where);
  });

  it('accepts what the table allows at its edges', () => {
    const c = loadConfig({
      SANDBOX_AGENT_KUBE_QPS: '2.5', SANDBOX_AGENT_REAPER_INTERVAL_SECONDS: '0.5', SANDBOX_AGENT_POD_RUN_AS_NON_ROOT: 'OFF',
      SANDBOX_AGENT_POD_RESOURCES: '{"limits":{"cpu":2,"nvidia.com/gpu":"1"}}', SKILLS_PVC_SUBPATH_TEMPLATE: '{{lit}}/{user_id}/{thread_id}',
      SANDBOX_AGENT_POD_RUNTIME_CLASS: '', SANDBOX_AGENT_IDLE_TTL_SECONDS: ' 600 ',
    });
    expect(c.kubeQps).toBe(2.5);
    expect(c.reaperIntervalSeconds).toBe(0.5);
    expect(c.pod.runAsNonRoot).toBe(false);
    expect(c.pod.resources).toEqual({ limits: { cpu: '2', 'nvidia.com/gpu': '1' } });
    expect(c.pod.runtimeClassName).toBeUndefined();
    expect(c.idleTtlSeconds).toBe(600);
  });

  it('docs/configuration.md is the rendering of the table', () => {
    expect(readFileSync(DOC_PATH, 'utf8'), 'stale: run tsx sandbox-agent/scripts/configuration-doc.ts').toBe(renderConfigurationDoc());
  });
});

describe('ownership lease settings (SANDBOX_AGENT_OWNERSHIP_*)', () => {
  const URL_VAR = 'SANDBOX_AGENT_OWNERSHIP_REDIS_URL';
  const PASSWORD_VAR = 'SANDBOX_AGENT_OWNERSHIP_REDIS_PASSWORD';

  it('unset (or empty) means no lease check; a URL gives host, port, database, TLS, credentials and the key prefix', () => {
    expect(loadConfig({}).ownership).toBeUndefined();
    expect(loadConfig({ [URL_VAR]: '' }).ownership).toBeUndefined();
    expect(loadConfig({ [URL_VAR]: 'redis://demo-redis.team-a.svc.cluster.local:6379/0', [PASSWORD_VAR]: 'pw' }).ownership).toEqual({
      host: 'demo-redis.team-a.svc.cluster.local', port: 6379, db: 0, tls: false, username: undefined, password: 'pw',
      keyPrefix: 'deerflow:sandbox:owner', where: 'redis://demo-redis.team-a.svc.cluster.local:6379/0',
    });
    expect(loadConfig({ [URL_VAR]: 'rediss://agent:s%40cret@[::1]/2', SANDBOX_AGENT_OWNERSHIP_KEY_PREFIX: 'team:owners::' }).ownership).toEqual({
      host: '::1', port: 6379, db: 2, tls: true, username: 'agent', password: 's@cret', keyPrefix: 'team:owners', where: 'rediss://[::1]/2',
    });
    expect(loadConfig({ [URL_VAR]: 'redis://redis' }).ownership).toMatchObject({ host: 'redis', port: 6379, db: 0, password: undefined });
  });

  it.each([
    [{ [URL_VAR]: 'http://redis:6379' }, URL_VAR, 'redis:// or rediss://'],
    [{ [URL_VAR]: 'redis://redis:6379/0?password=x' }, URL_VAR, 'no query'],
    [{ [URL_VAR]: 'redis://redis:6379/zero' }, URL_VAR, '/<database number>'],
    [{ [URL_VAR]: 'redis://redis:0' }, URL_VAR, 'port'],
    [{ [URL_VAR]: 'redis://redis:70000' }, URL_VAR, 'redis:// or rediss:// URL'],
    [{ [PASSWORD_VAR]: 'pw' }, PASSWORD_VAR, `without ${URL_VAR}`],
    [{ [URL_VAR]: 'redis://:inurl@redis:6379', [PASSWORD_VAR]: 'pw' }, PASSWORD_VAR, 'carries a password too'],
    [{ [URL_VAR]: 'redis://redis', SANDBOX_AGENT_OWNERSHIP_KEY_PREFIX: ':::' }, 'SANDBOX_AGENT_OWNERSHIP_KEY_PREFIX', 'more than colons'],
  ])('%j is refused, naming %s', (env, variable, why) => {
    const err = refusal(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(why);
  });

  it('never echoes a password in an error', () => {
    for (const env of [{ [URL_VAR]: 'redis://user:hunter2@redis:6379/x' }, { [URL_VAR]: 'redis://:hunter2@bad host' }, { [URL_VAR]: 'redis://:hunter2@redis:0' }]) {
      const err = refusal(env);
      expect(err.variable).toBe(URL_VAR);
      expect(err.message).not.toContain('hunter2');
      expect(err.message).toContain('(credentials hidden)');
    }
  });
});

// The real-node e2e's values for the primary release, rendered by the chart as the e2e installs it
// (profiles local + real-node, e2e/values/primary.yaml, the run's overlay): the LLM gateway on the
// real node with this run's image, two replicas, the fake providers behind its model groups, and the
// release's Redis, and DeerFlow's model wired to it by the chart (no provider key or URL of its own).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { CHART_DIR, REPO_ROOT, VALUES_DIR, helmBinary } from '../../generator/test-tools.js';
import { run } from '../exec.js';
import { NODE_NETWORK } from '../node/layout.js';
import { E2E_GATEWAY, E2E_MODEL, E2E_PRICES, E2E_PROVIDER, REAL_NODE_IMAGES, realNodeOverlay } from './real-node.js';

interface Env {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: Env[];
  resources?: { requests?: Record<string, string> };
  securityContext?: { runAsUser?: number; runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean };
}
interface Obj {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    template?: { spec?: { nodeSelector?: Record<string, string>; containers: Container[] } };
    egress?: { to?: { ipBlock?: { cidr: string } }[]; ports?: { port: number | string }[] }[];
  };
}

const NS = 'antler-e2e-test';
const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
const images = Object.fromEntries(REAL_NODE_IMAGES.map((name, i) => [name, `localhost/antler/${name}:1.0.0-test@${digest(i + 1)}`]));
const llmBaseUrl = `http://${NODE_NETWORK.nodeIp}:41234/v1`;
const masterKey = 'sk-e2e-0123456789abcdef';
const gatewayUrls = { primary: `http://${NODE_NETWORK.nodeIp}:41235/v1`, fallback: `http://${NODE_NETWORK.nodeIp}:41236/v1` };

let work = '';
let objects: Obj[] = [];
const find = (kind: string, name: string): Obj => {
  const obj = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!obj) throw new Error(`${kind}/${name} not rendered`);
  return obj;
};
const container = (name: string): Container => find('Deployment', name).spec!.template!.spec!.containers[0]!;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'antler-real-node-values-'));
  const overlay = path.join(work, 'overlay.yaml');
  await writeFile(overlay, stringify(realNodeOverlay({ images, homeDir: '/var/lib/antler-test/home', skillsDir: '/var/lib/antler-test/skills', llmBaseUrl, gatewayUrls, apiServerPort: 6443, masterKey })));
  const files = [path.join(VALUES_DIR, 'profiles/local.yaml'), path.join(VALUES_DIR, 'profiles/real-node.yaml'), path.join(REPO_ROOT, 'harness/e2e/values/primary.yaml'), overlay];
  const { stdout } = await run(await helmBinary(4), ['template', 'deerflow', CHART_DIR, '-n', NS, ...files.flatMap((f) => ['-f', f])]);
  objects = parseAllDocuments(stdout).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => o !== null);
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('real-node e2e values: the LLM gateway in front of the fake provider', () => {
  it('runs this run\'s LiteLLM image on the real node: two replicas (the shared-state checks), small requests, non-root, read-only root, args only (the image\'s entrypoint is litellm)', () => {
    const deployment = find('Deployment', 'deerflow-llm-gateway');
    const c = container('deerflow-llm-gateway');
    expect(deployment.spec?.replicas).toBe(E2E_GATEWAY.replicas);
    expect(deployment.spec?.template?.spec?.nodeSelector).toEqual({ 'antler.dev/node': 'real' });
    expect(c.image).toBe(images.litellm);
    expect(c.command).toBeUndefined();
    expect(c.args?.slice(0, 2)).toEqual(['--config', '/etc/litellm/config.yaml']);
    expect(c.resources?.requests).toEqual({ cpu: '50m', memory: '256Mi' });
    expect(c.securityContext).toMatchObject({ runAsUser: 65534, runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(c.env).toContainEqual({ name: 'LITELLM_LOCAL_MODEL_COST_MAP', value: 'True' });
  });

  it('its config has DeerFlow\'s group on one fake, the failover group on two fakes in order, the limited group\'s rpm, the breaker, the cache, and the release\'s Redis (db 1)', () => {
    const config = parse(find('ConfigMap', 'deerflow-llm-gateway').data!['config.yaml']!) as {
      model_list: { model_name: string; litellm_params: Record<string, unknown>; model_info: Record<string, unknown> }[];
      router_settings: { redis_url?: string; timeout?: number; retry_policy?: Record<string, number> };
      litellm_settings: { cache?: boolean };
    };
    expect(config.model_list.map((m) => [m.model_name, m.model_info.id])).toEqual([
      [E2E_MODEL, `${E2E_MODEL}/1/${E2E_PROVIDER}`],
      [E2E_GATEWAY.group, `${E2E_GATEWAY.group}/1/${E2E_GATEWAY.primary}`],
      [E2E_GATEWAY.group, `${E2E_GATEWAY.group}/2/${E2E_GATEWAY.fallback}`],
      [E2E_GATEWAY.limitedGroup, `${E2E_GATEWAY.limitedGroup}/1/${E2E_GATEWAY.fallback}`],
    ]);
    expect(config.model_list[0]).toMatchObject({
      litellm_params: { api_base: llmBaseUrl, api_key: 'os.environ/FAKE_LLM_KEY', input_cost_per_token: E2E_PRICES.inputPerMillion / 1e6, output_cost_per_token: E2E_PRICES.outputPerMillion / 1e6 },
    });
    expect(config.model_list[1]).toMatchObject({ litellm_params: { api_base: gatewayUrls.primary, order: 1 }, model_info: { allowed_fails: E2E_GATEWAY.openAfterFailures - 1, cooldown_time: E2E_GATEWAY.resetSeconds } });
    expect(config.model_list[2]).toMatchObject({ litellm_params: { api_base: gatewayUrls.fallback, order: 2 } });
    expect(config.model_list[3]?.litellm_params.rpm).toBe(E2E_GATEWAY.rpm);
    expect(config.router_settings).toMatchObject({ timeout: E2E_GATEWAY.timeoutSeconds, retry_policy: { InternalServerErrorRetries: E2E_GATEWAY.serverErrorRetries, TimeoutErrorRetries: 0 } });
    expect(config.litellm_settings.cache).toBe(true);
    expect(config.router_settings.redis_url).toBe('os.environ/LITELLM_REDIS_URL');
    const env = container('deerflow-llm-gateway').env ?? [];
    expect(env.find((e) => e.name === 'LITELLM_REDIS_URL')?.value).toBe(`redis://:$(REDIS_PASSWORD)@deerflow-redis.${NS}.svc.cluster.local:6379/1`);
    expect(env.find((e) => e.name === 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef?.name).toBe('deerflow-redis');
  });

  it('its NetworkPolicy lets it reach each fake provider on the node address and its port', () => {
    const egress = find('NetworkPolicy', 'deerflow-llm-gateway').spec?.egress ?? [];
    for (const port of [41234, 41235, 41236]) expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: `${NODE_NETWORK.nodeIp}/32` } }], ports: [{ protocol: 'TCP', port }] });
  });

  it('DeerFlow\'s model is the gateway\'s group through the chart\'s wiring: the gateway Service, its key, no client retries; DeerFlow holds no provider key', () => {
    const deerflow = parse(find('ConfigMap', 'deerflow-gateway').data!['config.yaml']!) as { models: Record<string, unknown>[]; llm_call?: { retry_max_attempts?: number } };
    expect(deerflow.models).toHaveLength(1);
    expect(deerflow.models[0]).toMatchObject({ name: E2E_MODEL, model: E2E_MODEL, base_url: `http://deerflow-llm-gateway.${NS}.svc.cluster.local:4000/v1`, api_key: '$LLM_GATEWAY_API_KEY', max_retries: 0 });
    expect(deerflow.llm_call?.retry_max_attempts).toBe(1);
    const env = container('deerflow-gateway').env ?? [];
    expect(env.find((e) => e.name === 'LLM_GATEWAY_API_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'deerflow-llm-gateway', key: 'LITELLM_MASTER_KEY' });
    expect(env.map((e) => e.name)).not.toContain('FAKE_LLM_KEY');
  });

  it('refuses an image the real node did not load, naming it', () => {
    const { litellm: _dropped, ...rest } = images;
    expect(() => realNodeOverlay({ images: rest, homeDir: '/h', skillsDir: '/s', llmBaseUrl, gatewayUrls, apiServerPort: 6443, masterKey })).toThrow(/no litellm image was loaded/);
  });
});

describe('real-node e2e values: DeerFlow\'s web UI', () => {
  it('runs this run\'s frontend image on the real node, never pulled, as uid 1000 on a read-only root with its writable .next/cache', () => {
    const deployment = find('Deployment', 'deerflow-frontend');
    const c = container('deerflow-frontend');
    expect(c.image).toBe(images['deerflow-frontend']);
    expect(deployment.spec?.template?.spec?.nodeSelector).toEqual({ 'antler.dev/node': 'real' });
    expect((c as Container & { imagePullPolicy?: string }).imagePullPolicy).toBe('Never');
    expect(c.securityContext?.runAsUser).toBe(1000);
    expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect((c as Container & { volumeMounts?: { mountPath: string }[] }).volumeMounts?.map((m) => m.mountPath)).toEqual(expect.arrayContaining(['/tmp', '/app/frontend/.next/cache']));
    // Its server-side auth guard calls the gateway by the Service URL the chart passes.
    expect(c.env?.find((e) => e.name === 'DEER_FLOW_INTERNAL_GATEWAY_BASE_URL')?.value).toBe(`http://deerflow-gateway.${NS}.svc.cluster.local:8001`);
  });
});

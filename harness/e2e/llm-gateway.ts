// The release's LLM gateway (the LiteLLM proxy the chart deploys) as the e2e sees it: its Pods, the
// deployments the chart rendered into its config.yaml, a port-forward to its Service with the master
// key from the release's Secret, its spend and token counters, and what a container process runs as
// (read on the real node's host).
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { proxyMetric } from '../litellm/metrics.js';
import type { RealNode } from '../node/real-node.js';
import { type E2eContext, assert, jsonOrUndefined } from './context.js';
import type { KubeObject, PortForward } from './kubectl.js';

export const LLM_GATEWAY_SELECTOR = 'app.kubernetes.io/component=llm-gateway';

/** One deployment of a model group, as the chart rendered it into the proxy's config.yaml. */
export interface RenderedDeployment {
  group: string;
  id: string;
  provider: string;
  model: string;
  apiBase: string;
  inputCostPerToken: number;
  outputCostPerToken: number;
}

interface ConfigEntry {
  model_name?: string;
  litellm_params?: { model?: string; api_base?: string; input_cost_per_token?: number; output_cost_per_token?: number };
  model_info?: { id?: string; provider?: string };
}

/** The deployments of `group` in a proxy config.yaml; throws naming what is missing. */
export function renderedDeployments(configYaml: string, group: string): RenderedDeployment[] {
  const config = (parseYaml(configYaml) ?? {}) as { model_list?: ConfigEntry[] };
  const entries = (config.model_list ?? []).filter((entry) => entry.model_name === group);
  assert(entries.length > 0, `config.yaml has no deployment of model group ${group} (groups: ${(config.model_list ?? []).map((e) => e.model_name).join(', ') || 'none'})`);
  return entries.map((entry, index) => {
    const p = entry.litellm_params ?? {};
    const where = `config.yaml model_list entry ${index + 1} of ${group}`;
    assert(entry.model_info?.id && p.model && p.api_base, `${where} lacks model_info.id, litellm_params.model or api_base`);
    assert(typeof p.input_cost_per_token === 'number' && typeof p.output_cost_per_token === 'number', `${where} has no input/output cost per token`);
    return {
      group,
      id: entry.model_info.id,
      provider: entry.model_info.provider ?? '',
      model: p.model,
      apiBase: p.api_base,
      inputCostPerToken: p.input_cost_per_token,
      outputCostPerToken: p.output_cost_per_token,
    };
  });
}

export interface Answer<T> {
  status: number;
  json?: T;
  text: string;
}

export interface LlmGateway {
  /** The component's object name (Deployment, Service, ConfigMap, Secret). */
  name: string;
  masterKey: string;
  /** The config.yaml of the release's ConfigMap. */
  configYaml: string;
  forward: PortForward;
  /** GET through the Service with the master key. */
  get<T>(path: string, authorized?: boolean): Promise<Answer<T>>;
  stop(): Promise<void>;
}

export function llmGatewayPods(ctx: Pick<E2eContext, 'kube' | 'primary'>): Promise<KubeObject[]> {
  return ctx.kube.list('pod', ctx.primary.namespace, `app.kubernetes.io/instance=${ctx.primary.release},${LLM_GATEWAY_SELECTOR}`);
}

/** The release's gateway through its Service, ready once `/health/liveliness` answers 200. */
export async function connectLlmGateway(ctx: Pick<E2eContext, 'kube' | 'primary'>): Promise<LlmGateway> {
  const { kube } = ctx;
  const { namespace, release } = ctx.primary;
  const name = `${release}-llm-gateway`;
  const masterKey = await kube.secretValue(namespace, name, 'LITELLM_MASTER_KEY');
  const configMap = await kube.json<{ data?: Record<string, string> }>(['get', 'configmap', name, '-n', namespace]);
  const configYaml = configMap.data?.['config.yaml'];
  assert(configYaml, `ConfigMap ${namespace}/${name} has no config.yaml`);
  const service = await kube.json<{ spec?: { ports?: { name?: string; port: number }[] } }>(['get', 'service', name, '-n', namespace]);
  const port = service.spec?.ports?.find((p) => p.name === 'http')?.port;
  assert(port, `Service ${namespace}/${name} has no http port`);
  const forward = await kube.portForward(namespace, `svc/${name}`, port, '/health/liveliness', 200, 60_000);
  const get = async <T>(path: string, authorized = true): Promise<Answer<T>> => {
    const res = await fetch(`${forward.url}${path}`, { headers: authorized ? { authorization: `Bearer ${masterKey}` } : {}, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    const json = jsonOrUndefined<T>(text);
    return { status: res.status, json, text };
  };
  return { name, masterKey, configYaml, forward, get, stop: () => forward.stop() };
}

export interface Spend {
  spend: number;
  inputTokens: number;
  outputTokens: number;
}

/** The proxy's cost counters of one deployment (`model_id` label = the config's model_info.id). */
export async function spendOf(gateway: LlmGateway, modelId: string): Promise<Spend> {
  const read = (name: string) => proxyMetric(gateway.forward.url, gateway.masterKey, name, { model_id: modelId });
  return {
    spend: await read('litellm_spend_metric_total'),
    inputTokens: await read('litellm_input_tokens_metric_total'),
    outputTokens: await read('litellm_output_tokens_metric_total'),
  };
}

export interface ContainerProcess {
  pid: number;
  uid: number;
  gid: number;
  /** The container's `/` is mounted read-only in its mount namespace. */
  readOnlyRoot: boolean;
}

/** What a container's main process runs as, read from the host's /proc on the real node. */
export async function containerProcess(node: RealNode, containerId: string): Promise<ContainerProcess> {
  const pid = await node.containerPid(containerId);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const ids = (field: string) => /^\S+:\s+(\d+)/.exec(status.split('\n').find((line) => line.startsWith(`${field}:`)) ?? '')?.[1];
  const uid = Number(ids('Uid'));
  const gid = Number(ids('Gid'));
  // mountinfo: id parent major:minor root mount-point options ...; the root mount's options say ro or rw.
  const root = (await readFile(`/proc/${pid}/mountinfo`, 'utf8')).split('\n').map((line) => line.split(' ')).find((fields) => fields[4] === '/');
  assert(root, `process ${pid} has no / in its mountinfo`);
  return { pid, uid, gid, readOnlyRoot: (root[5] ?? '').split(',').includes('ro') };
}

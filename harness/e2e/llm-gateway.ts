// The release's LLM gateway (the LiteLLM proxy the chart deploys) as the e2e sees it: its Pods, the
// deployments and settings the chart rendered into its config.yaml, a port-forward to each Pod with
// the master key from the release's Secret, its spend and token counters summed over the Pods, and
// what a container process runs as (read on the real node's host).
import { readFile } from 'node:fs/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import type { FakeLlmProvider } from '../fakes/llm-provider.js';
import type { GatewayUnderTest } from '../litellm/checks.js';
import { proxyMetrics } from '../litellm/metrics.js';
import { sumSamples } from '../prometheus.js';
import type { RealNode } from '../node/real-node.js';
import { type E2eContext, assert, jsonOrUndefined } from './context.js';
import { type PortForward, nameOf, podReady } from './kubectl.js';

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

/** One Pod of the gateway, reached through its own port-forward. */
export interface Replica {
  pod: string;
  url: string;
}

export interface LlmGateway {
  /** The component's object name (Deployment, Service, ConfigMap, Secret). */
  name: string;
  masterKey: string;
  /** The config.yaml of the release's ConfigMap. */
  configYaml: string;
  /** Every Ready Pod of the gateway, by name. */
  replicas: Replica[];
  /** GET on the first replica, with the master key unless `authorized` is false. */
  get<T>(path: string, authorized?: boolean): Promise<Answer<T>>;
  stop(): Promise<void>;
}

export function llmGatewayPods(ctx: Pick<E2eContext, 'kube' | 'primary'>): Promise<V1Pod[]> {
  return ctx.kube.pods(ctx.primary.namespace, `app.kubernetes.io/instance=${ctx.primary.release},${LLM_GATEWAY_SELECTOR}`);
}

/**
 * The release's gateway, every Ready Pod through its own port-forward (a Service forward picks one
 * Pod, and the counters are per Pod), each ready once `/health/liveliness` answers 200.
 */
export async function connectLlmGateway(ctx: Pick<E2eContext, 'kube' | 'primary'>): Promise<LlmGateway> {
  const { kube } = ctx;
  const { namespace, release } = ctx.primary;
  const name = `${release}-llm-gateway`;
  const masterKey = await kube.secretValue(namespace, name, 'LITELLM_MASTER_KEY');
  const configYaml = (await kube.configMap(namespace, name)).data?.['config.yaml'];
  assert(configYaml, `ConfigMap ${namespace}/${name} has no config.yaml`);
  const pods = (await llmGatewayPods(ctx)).filter(podReady);
  assert(pods.length > 0, `the LLM gateway ${namespace}/${name} has no Ready Pod`);
  const forwards: PortForward[] = [];
  const replicas: Replica[] = [];
  try {
    for (const pod of pods) {
      const podName = nameOf(pod);
      const port = pod.spec?.containers[0]?.ports?.find((p) => p.name === 'http')?.containerPort;
      assert(port, `Pod ${podName} has no container port named http`);
      const forward = await kube.portForward(namespace, `pod/${podName}`, port, '/health/liveliness', 200, 60_000);
      forwards.push(forward);
      replicas.push({ pod: podName, url: forward.url });
    }
  } catch (error) {
    await Promise.all(forwards.map((f) => f.stop()));
    throw error;
  }
  const get = async <T>(path: string, authorized = true): Promise<Answer<T>> => {
    const res = await fetch(`${replicas[0]!.url}${path}`, { headers: authorized ? { authorization: `Bearer ${masterKey}` } : {}, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    return { status: res.status, json: jsonOrUndefined<T>(text), text };
  };
  return { name, masterKey, configYaml, replicas, get, stop: async () => void (await Promise.all(forwards.map((f) => f.stop()))) };
}

export interface Spend {
  spend: number;
  inputTokens: number;
  outputTokens: number;
}

/** The cost counters of one deployment (`model_id` label = the config's model_info.id), summed over the replicas. */
export async function spendOf(gateway: LlmGateway, modelId: string): Promise<Spend> {
  const total: Spend = { spend: 0, inputTokens: 0, outputTokens: 0 };
  for (const { url } of gateway.replicas) {
    const text = await proxyMetrics(url, gateway.masterKey);
    const read = (name: string) => sumSamples(text, name, { model_id: modelId });
    total.spend += read('litellm_spend_metric_total');
    total.inputTokens += read('litellm_input_tokens_metric_total');
    total.outputTokens += read('litellm_output_tokens_metric_total');
  }
  return total;
}

interface RenderedSettings {
  router_settings?: { retry_policy?: { InternalServerErrorRetries?: number }; timeout?: number };
  model_list?: { model_name?: string; litellm_params?: { order?: number; rpm?: number }; model_info?: { id?: string; allowed_fails?: number; cooldown_time?: number } }[];
}

/**
 * The gateway as the shared checks (litellm/checks.ts) see it, every setting read from the
 * config.yaml the release rendered: `group`'s two deployments in order, `limited`'s rpm, the
 * breaker's threshold (allowed_fails + 1) and reset, the timeout and the server-error retries.
 */
export function gatewayUnderTest(gateway: LlmGateway, group: string, limited: string, providers: Readonly<Record<string, FakeLlmProvider>>): GatewayUnderTest {
  const config = (parseYaml(gateway.configYaml) ?? {}) as RenderedSettings;
  const entries = config.model_list ?? [];
  const ordered = renderedDeployments(gateway.configYaml, group).map((d) => ({ d, entry: entries.find((e) => e.model_info?.id === d.id) })).sort((x, y) => (x.entry?.litellm_params?.order ?? 0) - (y.entry?.litellm_params?.order ?? 0));
  assert(ordered.length === 2, `model group ${group} should have two deployments, the release rendered ${ordered.length}`);
  const deployment = ({ d }: (typeof ordered)[number]) => {
    const provider = providers[d.provider];
    assert(provider, `${d.id} is served by provider ${d.provider}, which this run does not fake`);
    return { id: d.id, provider, inputPerMillion: d.inputCostPerToken * 1e6, outputPerMillion: d.outputCostPerToken * 1e6 };
  };
  const primaryInfo = ordered[0]!.entry?.model_info;
  const rpm = entries.find((e) => e.model_name === limited)?.litellm_params?.rpm;
  const retries = config.router_settings?.retry_policy?.InternalServerErrorRetries;
  const timeout = config.router_settings?.timeout;
  assert(typeof primaryInfo?.allowed_fails === 'number' && typeof primaryInfo.cooldown_time === 'number', `${ordered[0]!.d.id} has no allowed_fails/cooldown_time`);
  assert(typeof rpm === 'number', `model group ${limited} has no rpm limit`);
  assert(typeof retries === 'number' && typeof timeout === 'number', 'router_settings has no retry_policy.InternalServerErrorRetries or timeout');
  assert(gateway.replicas.length >= 2, `the gateway has ${gateway.replicas.length} Ready Pod(s); the shared-state checks need two`);
  return {
    replicas: [gateway.replicas[0]!.url, gateway.replicas[1]!.url],
    masterKey: gateway.masterKey,
    group,
    primary: deployment(ordered[0]!),
    fallback: deployment(ordered[1]!),
    limited: { group: limited, rpm },
    openAfterFailures: primaryInfo.allowed_fails + 1,
    resetSeconds: primaryInfo.cooldown_time,
    timeoutSeconds: timeout,
    serverErrorRetries: retries,
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

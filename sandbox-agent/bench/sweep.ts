// The reaper's sweep at N sandboxes (1k and 10k by default): Pods with the agent's labels, parked
// on a scheduler that does not exist so the control plane is not busy scheduling them; the agent's
// informer sees them all. Reports the sweep's time and API calls and the agent's RSS at that size.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { mapLimit } from '../../harness/parallel.js';
import { sumSamples } from '../../harness/prometheus.js';
import { waitFor } from '../../harness/wait.js';
import { loadConfig } from '../src/config.js';
import { resolveMounts } from '../src/mounts.js';
import { buildPod } from '../src/podspec.js';
import { parseCreateRequest } from '../src/validation.js';
import { type Agent, call, startAgent } from '../test/agent-process.js';
import { type BenchCluster, benchAgentEnv } from './contenders.js';

export interface SweepResult {
  sandboxes: number;
  examined: number;
  sweepSeconds: number;
  sweepApiCalls: number;
  agentListCalls: number;
  agentRssMiB: number;
  createSeconds: number;
}

const metricsText = async (agent: Agent) => (await call(agent, 'GET', '/metrics', undefined, {})).text;
const metric = async (agent: Agent, name: string, labels: Record<string, string> = {}) => sumSamples(await metricsText(agent), name, labels);

export async function sweeps(c: BenchCluster, chartEnv: Readonly<Record<string, string>>, sizes: readonly number[]): Promise<Record<string, SweepResult>> {
  const env = benchAgentEnv(c, chartEnv, 'bench-sweep', 'Headless', { SANDBOX_AGENT_REAPER_INTERVAL_SECONDS: '1' });
  const cfg = loadConfig(env);
  const kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const agent = await startAgent(env, { entry: 'dist' });
  const out: Record<string, SweepResult> = {};
  try {
    let created = 0;
    for (const size of sizes) {
      const need = Math.max(0, size - created);
      const tCreate = Date.now();
      await mapLimit(Array.from({ length: need }, (_, i) => i), 64, async (i) => {
        const parsed = parseCreateRequest({ sandbox_id: `sw${size}x${i}`, user_id: `u${i % 100}` });
        if (!parsed.ok) throw new Error(`sweep id sw${size}x${i} rejected`);
        const body = buildPod(parsed.value, resolveMounts(parsed.value, cfg), { cfg, ownerReference: undefined, now: new Date() });
        body.spec = { ...body.spec, containers: body.spec?.containers ?? [], schedulerName: 'bench-parked' };
        await core.createNamespacedPod({ namespace: c.namespace, body });
      }, { budgetMs: 300_000 });
      created = ((await core.listNamespacedPod({ namespace: c.namespace, limit: 1 })).metadata?.remainingItemCount ?? 0) + 1;
      await waitFor(`a reaper sweep that examined all ${created} sandboxes`, 120_000, async () => (await metric(agent, 'sandbox_agent_reaper_last_sweep', { field: 'examined' })) >= created, 500);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // one more full pass at this size
      const text = await metricsText(agent);
      out[`n${size}`] = {
        sandboxes: created,
        examined: sumSamples(text, 'sandbox_agent_reaper_last_sweep', { field: 'examined' }),
        sweepSeconds: sumSamples(text, 'sandbox_agent_reaper_last_sweep', { field: 'seconds' }),
        sweepApiCalls: sumSamples(text, 'sandbox_agent_reaper_last_sweep', { field: 'api_calls' }),
        agentListCalls: sumSamples(text, 'sandbox_agent_kube_requests_total', { verb: 'list' }),
        agentRssMiB: sumSamples(text, 'sandbox_agent_process_resident_memory_bytes') / 2 ** 20,
        createSeconds: (Date.now() - tCreate) / 1000,
      };
    }
  } finally {
    await agent.stop();
  }
  return out;
}

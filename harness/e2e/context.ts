// What every e2e suite works with: the cluster, the primary release and its agent processes.
import type { BackendName } from '../cluster.js';
import type { AgentDeployment, AgentHandle } from './agents.js';
import type { GatewaySimulator } from './gateway-sim.js';
import type { Kubectl, KubeObject } from './kubectl.js';
import type { Report } from './report.js';

export interface PrimaryRelease {
  release: string;
  namespace: string;
  chartRef: string;
  valuesFiles: string[];
  extraInstallArgs: string[];
  deployment: AgentDeployment;
  agents: AgentHandle[];
  /** Starts (local) or attaches (kind) the replica that replaces agents[index]. */
  replaceAgent(index: number): Promise<AgentHandle>;
}

export interface E2eContext {
  backend: BackendName;
  kube: Kubectl;
  report: Report;
  outDir: string;
  workDir: string;
  threads: number;
  primary: PrimaryRelease;
  /** A simulated gateway per agent process, so load spreads over replicas like a Service would. */
  gateways(): GatewaySimulator[];
}

export const SANDBOX_SELECTOR = 'app.kubernetes.io/component=sandbox';

export function sandboxPods(ctx: Pick<E2eContext, 'kube' | 'primary'>): Promise<KubeObject[]> {
  return ctx.kube.list('pod', ctx.primary.deployment.namespace, `${SANDBOX_SELECTOR},app.kubernetes.io/instance=${ctx.primary.release}`);
}

export function sandboxIdOf(pod: KubeObject): string | undefined {
  return pod.metadata.labels?.['sandbox-id'];
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` (for state the API has no watch verb for from kubectl) until true or timeout. */
export async function eventually(what: string, timeoutMs: number, probe: () => Promise<boolean>, intervalMs = 250): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

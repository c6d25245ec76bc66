// What every e2e suite works with: the cluster, the primary release and its agent processes.
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import type { BackendName } from '../cluster.js';
import type { RealNode } from '../node/real-node.js';
import { type AgentDeployment, type AgentHandle, hostPathUserData } from './agents.js';
import type { GatewaySimulator, PrepareThread } from './gateway-sim.js';
import type { DeerflowProvisionerClient } from './deerflow-provisioner.js';
import type { FirstAdmin } from './deerflow-user.js';
import type { Kubectl } from './kubectl.js';
import { type Report, SkipCheck } from './report.js';

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
  /** Set when the primary release runs real containers on the local backend's real node. */
  realNode?: RealNode;
  /** The locally built image references (tag@digest) the real-node release uses, by image name. */
  realNodeImages?: Record<string, string>;
  /** A simulated gateway per agent process, so load spreads over replicas like a Service would. */
  gateways(): GatewaySimulator[];
  /** The running agent replicas' URLs (what DeerFlow's `provisioner_url` would point at). */
  agentUrls(): string[];
  /**
   * DeerFlow's own provisioner client (its RemoteSandboxBackend, run from the pinned source):
   * behaviour checks go through it; undefined when it failed to start (its check says why).
   */
  deerflow?: DeerflowProvisionerClient;
  /** What DeerFlow does before it asks for a sandbox (its thread directories), where it matters. */
  prepareThread?: PrepareThread;
  /** The primary release's first admin (the ui and deerflow suites share it). */
  firstAdmin: FirstAdmin;
}

export const SANDBOX_SELECTOR = 'app.kubernetes.io/component=sandbox';

export function sandboxPods(ctx: Pick<E2eContext, 'kube' | 'primary'>): Promise<V1Pod[]> {
  return ctx.kube.pods(ctx.primary.deployment.namespace, `${SANDBOX_SELECTOR},app.kubernetes.io/instance=${ctx.primary.release}`);
}

export function sandboxIdOf(pod: V1Pod): string | undefined {
  return pod.metadata?.labels?.['sandbox-id'];
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** The body as JSON, or undefined when it is not JSON (an HTML error page, plain text). */
export function jsonOrUndefined<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** A Pod's IP; throws naming the Pod when it has none. */
export function podIp(pod: V1Pod | undefined): string {
  const ip = pod?.status?.podIP;
  assert(pod && ip, `${pod?.metadata?.name ?? 'Pod'} has no IP`);
  return ip;
}

/** DeerFlow's client, or the reason a check that needs it cannot run. */
export function deerflowClient(ctx: Pick<E2eContext, 'deerflow'>): DeerflowProvisionerClient {
  assert(ctx.deerflow, "DeerFlow's provisioner client did not start (see its install check)");
  return ctx.deerflow;
}

export { eventually, sleep } from '../wait.js';

/** True when sandbox Pods run real containers (kind, or the local backend's real node). */
export function realContainers(ctx: Pick<E2eContext, 'backend' | 'realNode'>): boolean {
  return ctx.backend === 'kind' || ctx.realNode !== undefined;
}

/**
 * Creates a thread directory the way DeerFlow's gateway does: every directory it has to make is
 * world-writable (deerflow/config/paths.py creates them 0777), so the gateway (uid 1000) and the
 * sandbox user can both write below it. A root-owned 0755 directory made here instead would lock
 * the gateway out of its own `users/` tree.
 */
export async function makeThreadDir(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    // Threads of one user are prepared concurrently: another may have just made this directory.
    const made = await mkdir(d).then(() => true, (error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return false;
      throw error;
    });
    if (made) await chmod(d, 0o777);
  }
}

/** The simulated gateway's thread preparation on real Pods: DeerFlow's directories, made first. */
export function threadDirMaker(deployment: AgentDeployment): PrepareThread {
  return async (userId, threadId) => {
    const dir = hostPathUserData(deployment, userId, threadId);
    if (dir) await makeThreadDir(dir);
  };
}

/**
 * Tests that act without a gateway make a sandbox's hostPath user-data writable as the gateway
 * would have (hostPath volumes the kubelet creates are root-owned 0755).
 */
export async function openHostPathUserData(pod: V1Pod): Promise<void> {
  for (const volume of pod.spec?.volumes ?? []) {
    const dir = volume.name === 'user-data' ? volume.hostPath?.path : undefined;
    if (!dir) continue;
    await makeThreadDir(dir);
    await chmod(dir, 0o777);
  }
}

/**
 * In-cluster agents are reached through `kubectl port-forward`: when their Pods are replaced (an
 * upgrade that changes their env, a rollback) or the API server restarts, the forwards die with
 * them. This attaches fresh handles to whatever agent Pods run now. Host-process agents (kwok-only
 * clusters) are left alone.
 */
export async function reconnectAgents(ctx: Pick<E2eContext, 'backend' | 'realNode' | 'primary'>): Promise<void> {
  if (!realContainers(ctx)) return;
  for (const agent of ctx.primary.agents) await agent.stop();
  for (let index = 0; index < ctx.primary.agents.length; index += 1) ctx.primary.agents[index] = await ctx.primary.replaceAgent(index);
}

/**
 * What a suite that needs the real node gets: the node and the suite's own inputs (fakes,
 * options) when this run has both; otherwise the suite's one check, named `check`, is recorded
 * as skipped with `why` (never as passed), and the suite gets undefined.
 */
export async function realNodeOrSkip<T>(ctx: E2eContext, inputs: T | undefined, check: string, why: string): Promise<{ node: RealNode; inputs: T } | undefined> {
  if (ctx.realNode && inputs !== undefined) return { node: ctx.realNode, inputs };
  await ctx.report.check(check, async () => {
    throw new SkipCheck(`this cluster has no real node: ${why}`);
  });
  return undefined;
}

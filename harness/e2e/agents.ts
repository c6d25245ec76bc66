// On the `local` backend nothing runs inside Pods, so the sandbox agent runs as real processes on
// the host — the way upstream's compose setup runs the provisioner — configured exactly as the
// installed release configures its Deployment: the same env (Secrets resolved), and a kubeconfig
// holding a token of the release's own ServiceAccount, so the chart's Role is what authorizes it.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { V1EnvVar } from '@kubernetes/client-node';
import { startAgentProcess as spawnAgent } from '../agent-process.js';
import { type Kubectl, nameOf, secretKey, unlessNotFound } from './kubectl.js';
import { readAgentEnv } from '../../sandbox-agent/src/config.js';
import type { AgentEnvValues } from '../../sandbox-agent/src/env.js';
import { userDataHostPath } from '../../sandbox-agent/src/podspec.js';

export interface AgentDeployment {
  namespace: string;
  release: string;
  serviceAccount: string;
  env: V1EnvVar[];
  apiKey: string;
  leaseName: string;
}

/**
 * The settings the release's agent runs with: its Deployment's env (Secrets and ConfigMaps
 * resolved by readAgentDeployment) parsed and validated by the agent's own reader
 * (sandbox-agent/src/config.ts, the env table's defaults for what the chart leaves unset). Suites
 * size their checks from this, not from copies of the e2e values file. Field references (the Pod
 * name) keep their defaults.
 */
export function agentSettings(deployment: AgentDeployment): AgentEnvValues {
  const literal = Object.fromEntries(deployment.env.filter((variable) => variable.value !== undefined).map((variable) => [variable.name, variable.value as string]));
  try {
    return readAgentEnv(literal);
  } catch (error) {
    throw new Error(`the agent env of release ${deployment.release}: ${(error as Error).message}`);
  }
}

/**
 * Where the release's agent mounts a thread's user-data from in hostPath mode (the agent's own
 * path rule), or undefined in PVC mode.
 */
export function hostPathUserData(deployment: AgentDeployment, userId: string, threadId: string): string | undefined {
  const settings = agentSettings(deployment);
  if (settings.USERDATA_PVC_NAME) return undefined;
  return userDataHostPath({
    deerFlowHostBaseDir: settings.DEER_FLOW_HOST_BASE_DIR,
    threadsHostPath: settings.THREADS_HOST_PATH,
  }, userId, threadId);
}

/** Reads the release's sandbox-agent Deployment and resolves its env (Secrets, ConfigMaps). */
export async function readAgentDeployment(kube: Kubectl, namespace: string, release: string): Promise<AgentDeployment> {
  const [deployment] = await kube.deployments(namespace, `app.kubernetes.io/instance=${release},app.kubernetes.io/component=sandbox-agent`);
  if (!deployment) throw new Error(`release ${release} in ${namespace} has no sandbox-agent Deployment`);
  const podSpec = deployment.spec?.template.spec;
  const container = podSpec?.containers[0];
  if (!podSpec || !container) throw new Error(`sandbox-agent Deployment of ${release} has no container`);
  if (!podSpec.serviceAccountName) throw new Error(`sandbox-agent Deployment of ${release} names no ServiceAccount`);
  const env: V1EnvVar[] = [];
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
    if (!ref) {
      env.push(variable);
      continue;
    }
    const kind = variable.valueFrom?.secretKeyRef ? 'secret' : 'configmap';
    if (!ref.name) throw new Error(`${variable.name}: the ${kind} reference names no ${kind}`);
    // A missing object counts as a missing key (an optional reference may name either); any
    // other failed read fails this one.
    const value = kind === 'secret'
      ? secretKey(await unlessNotFound(kube.secret(namespace, ref.name)), ref.key)
      : (await unlessNotFound(kube.configMap(namespace, ref.name)))?.data?.[ref.key];
    if (value === undefined) {
      if (ref.optional) continue;
      throw new Error(`${variable.name}: ${kind} ${namespace}/${ref.name} has no key ${ref.key}`);
    }
    env.push({ name: variable.name, value });
  }
  const lookup = (name: string): string => env.find((variable) => variable.name === name)?.value ?? '';
  return {
    namespace,
    release,
    serviceAccount: podSpec.serviceAccountName,
    env,
    apiKey: lookup('PROVISIONER_API_KEY'),
    leaseName: lookup('SANDBOX_AGENT_LEASE_NAME'),
  };
}

/** A kubeconfig that authenticates as the ServiceAccount (TokenRequest API), same server and CA. */
export async function serviceAccountKubeconfig(kube: Kubectl, namespace: string, serviceAccount: string, file: string): Promise<string> {
  const token = (await kube.run(['create', 'token', serviceAccount, '-n', namespace, '--duration=2h'])).trim();
  const cluster = await kube.currentCluster();
  if (!cluster) throw new Error('admin kubeconfig has no cluster');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster }],
    users: [{ name: serviceAccount, user: { token } }],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: serviceAccount, namespace } }],
    'current-context': 'e2e',
  };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

/** One agent replica as the suites see it: a host process on `local`, a Pod on kind. */
export interface AgentHandle {
  identity: string;
  url: string;
  running(): boolean;
  /** Hard kill: SIGKILL of the process, or a forced Pod delete. */
  kill(): Promise<void>;
  /** Graceful stop (SIGTERM), waiting for the exit. */
  stop(): Promise<void>;
}

/** Starts one agent process with the Deployment's env; resolves once /readyz answers 200. */
export async function startAgentProcess(deployment: AgentDeployment, kubeconfig: string, identity: string, logDir: string): Promise<AgentHandle> {
  const env: Record<string, string> = {};
  for (const variable of deployment.env) {
    // Host-process agents run only on kwok-only clusters, where no Redis and no DeerFlow gateway
    // run: there are no ownership leases to read, and the in-cluster Redis name does not resolve.
    if (variable.name.startsWith('SANDBOX_AGENT_OWNERSHIP_')) continue;
    if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[variable.name] = identity;
    else if (variable.value !== undefined) env[variable.name] = variable.value;
  }
  env.KUBECONFIG_PATH = kubeconfig;
  const agent = await spawnAgent({ env, name: `agent ${identity}`, logFile: path.join(logDir, `${identity}.log`), readyTimeoutMs: 60_000 });
  return {
    identity,
    url: agent.url,
    running: agent.running,
    kill: async () => void (await agent.stop('SIGKILL')),
    stop: async () => void (await agent.stop('SIGTERM')),
  };
}

/** The Lease holder among the given agents, read from the API server. */
export async function leaderOf(kube: Kubectl, deployment: AgentDeployment, agents: readonly AgentHandle[]): Promise<AgentHandle | undefined> {
  // No Lease yet: no leader yet.
  const lease = await unlessNotFound(kube.lease(deployment.namespace, deployment.leaseName));
  return agents.find((agent) => agent.identity === lease?.spec?.holderIdentity);
}

/**
 * kind: the agent runs in-cluster from its image; each replica is reached through its own
 * `kubectl port-forward` on 127.0.0.1. Killing one force-deletes its Pod (the Deployment makes
 * a new one, which `attachInClusterAgent` can pick up).
 */
export async function attachInClusterAgent(
  kube: Kubectl,
  deployment: AgentDeployment,
  exclude: readonly string[],
  /** A real SIGKILL of the agent container's process (the real node); else a forced Pod delete. */
  hardKill?: (containerId: string) => Promise<void>,
): Promise<AgentHandle> {
  const selector = `app.kubernetes.io/instance=${deployment.release},app.kubernetes.io/component=sandbox-agent`;
  await kube.run(['wait', '-n', deployment.namespace, '--for=condition=Ready', 'pod', '-l', selector, '--timeout=120s']);
  const pods = await kube.pods(deployment.namespace, selector);
  const pod = pods.find((candidate) => !exclude.includes(nameOf(candidate)) && !candidate.metadata?.deletionTimestamp);
  if (!pod) throw new Error(`no sandbox-agent Pod of ${deployment.release} besides ${exclude.join(', ')}`);
  const name = nameOf(pod);
  const forward = await kube.portForward(deployment.namespace, `pod/${name}`, 8002, '/readyz', 200);
  const url = forward.url;
  let deleted = false;
  return {
    identity: name,
    url,
    running: () => !deleted && forward.running(),
    kill: async () => {
      deleted = true;
      if (hardKill) {
        const containerId = pod.status?.containerStatuses?.[0]?.containerID;
        if (!containerId) throw new Error(`${name} reports no container id`);
        await hardKill(containerId);
      } else {
        await kube.run(['delete', 'pod', '-n', deployment.namespace, name, '--grace-period=0', '--force']);
      }
      await forward.stop();
    },
    stop: async () => {
      deleted = true;
      await forward.stop();
    },
  };
}

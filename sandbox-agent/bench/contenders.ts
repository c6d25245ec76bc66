// What `make bench` compares, each behind one small interface: our agent (compiled, as the image
// runs it, with the env the chart ships: `helm template` of the chart's defaults), the official
// provisioner from the pinned DeerFlow source (`docker/provisioner/app.py` under uvicorn, in
// DeerFlow's own `uv sync --frozen` environment, which locks its fastapi, uvicorn and kubernetes),
// and a floor: the same Pod created and deleted by a minimal client on one keep-alive connection,
// watched to Running. All on 127.0.0.1 against one local control plane.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KubeConfig, Watch, type V1EnvVar, type V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { type AgentProcess, startAgentProcess } from '../../harness/agent-process.js';
import { deerflowEnvironment } from '../../harness/deerflow/python.js';
import { run } from '../../harness/exec.js';
import { freePort } from '../../harness/ports.js';
import { logTail, processRunning, startDaemon, stopProcesses } from '../../harness/processes.js';
import { resolveTool } from '../../harness/tools.js';
import { waitFor } from '../../harness/wait.js';
import { loadConfig } from '../src/config.js';
import { resolveMounts } from '../src/mounts.js';
import { LABEL_APP, LABEL_APP_VALUE } from '../src/naming.js';
import { buildPod } from '../src/podspec.js';
import { HttpMethod, JsonApi, resourcePath } from '../src/jsonapi.js';
import { PooledAuthentication } from '../src/transport.js';
import { parseCreateRequest } from '../src/validation.js';
import { repoRoot } from '../test/agent-process.js';

export const API_KEY = 'bench-provisioner-key-0123456789';
export const API_HEADERS = { 'x-api-key': API_KEY, 'content-type': 'application/json' } as const;

/** One acquire as DeerFlow makes it: create, then its status polled until Running, then delete. */
export interface AcquireTiming {
  toResponseMs: number;
  toRunningMs: number;
}

export interface Contender {
  /** e.g. `agent/Headless`, `upstream/ClusterIP`, `floor`. */
  readonly name: string;
  /** The process whose CPU and peak RSS are ours to count (none for the in-process floor). */
  readonly pid: number | undefined;
  /** One acquire of sandbox `id` for DeerFlow user `user`. */
  acquire(id: string, user: string): Promise<AcquireTiming>;
  stop(): Promise<void>;
}

/** A contender that DeerFlow reaches over HTTP at `url` (the agent and the official provisioner). */
export type HttpContender = Contender & { url: string };

export interface BenchCluster {
  kubeconfig: string;
  namespace: string;
}

/**
 * Thread data and skills on hostPath for every contender (the official provisioner's own default
 * layout), so all of them create the same kind of Pod and none waits on a claim the bench has not
 * made. Everything else is the chart's default.
 */
const BENCH_STORAGE = ['persistence.allowHostPath=true', 'persistence.home.mode=hostPath', 'persistence.home.hostPath=/var/local/antler-bench', 'sandbox.skills.source=hostPath', 'sandbox.skills.hostPath=/var/local/antler-bench/skills'];

/**
 * The chart backs hostPath skills with a release-scoped PV and claim, which exist only when the
 * chart is installed; the bench creates Pods without it, so skills are mounted from the host path
 * directly, as the official provisioner does by default (SKILLS_PVC_NAME unset).
 */
export const NO_CLAIMS = { SKILLS_PVC_NAME: '', USERDATA_PVC_NAME: '' } as const;

/**
 * The chart's objects as `helm template` renders them for the bench release: the sandbox path on
 * with the bench key and BENCH_STORAGE, plus `sets`, only the `templates` (paths under the chart).
 */
export async function renderChart(templates: readonly string[], sets: readonly string[] = [], namespace = 'default'): Promise<Record<string, unknown>[]> {
  const helm = await resolveTool('helm');
  const args = ['template', 'bench', path.join(repoRoot, 'chart'), '-n', namespace, ...['sandbox.enabled=true', `sandbox.apiKey=${API_KEY}`, ...BENCH_STORAGE, ...sets].flatMap((v) => ['--set', v])];
  const { stdout } = await run(helm, [...args, ...templates.flatMap((t) => ['--show-only', t])]);
  return parseAllDocuments(stdout).map((d) => d.toJS() as Record<string, unknown> | null).filter((d): d is Record<string, unknown> => d !== null);
}

/** The sandbox agent's env as the chart ships it (defaults; sandbox on with a key; BENCH_STORAGE), literal values only. */
export async function chartAgentEnv(): Promise<Record<string, string>> {
  type Deployment = { kind?: string; spec?: { template?: { spec?: { containers?: { name: string; env?: V1EnvVar[] }[] } } } };
  const deployment = (await renderChart(['templates/sandbox/deployment.yaml'])).map((d) => d as Deployment).find((d) => d.kind === 'Deployment');
  const env = deployment?.spec?.template?.spec?.containers?.[0]?.env;
  if (!env) throw new Error('helm rendered no sandbox-agent Deployment env');
  return Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
}

/** The body DeerFlow's RemoteSandboxBackend posts (remote_backend.py `_provisioner_create`). */
export const DEERFLOW_BODY = (id: string, user: string) => ({ sandbox_id: id, thread_id: `thread-${id}`, user_id: user, include_legacy_skills: false, provision_lark_cli_runtime: false, provision_lark_cli_broker: false });

/** DeerFlow's request shape against a provisioner at `url` (remote_backend.py: POST, GET until Running, DELETE). */
export async function httpAcquire(url: string, id: string, user: string, pollMs: number): Promise<AcquireTiming> {
  const headers = API_HEADERS;
  const t0 = performance.now();
  const created = await fetch(`${url}/api/sandboxes`, { method: 'POST', headers, body: JSON.stringify(DEERFLOW_BODY(id, user)), signal: AbortSignal.timeout(30_000) });
  const body = await created.text();
  if (created.status !== 200) throw new Error(`create ${id}: HTTP ${created.status} ${body.slice(0, 200)}`);
  const toResponseMs = performance.now() - t0;
  let status = (JSON.parse(body) as { status?: string }).status;
  const deadline = t0 + 60_000;
  while (status !== 'Running') {
    if (performance.now() > deadline) throw new Error(`${id} not Running within 60 s (last status ${status})`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const got = await fetch(`${url}/api/sandboxes/${id}`, { headers, signal: AbortSignal.timeout(10_000) });
    status = got.status === 200 ? ((await got.json()) as { status?: string }).status : `HTTP ${got.status}`;
  }
  const toRunningMs = performance.now() - t0;
  const deleted = await fetch(`${url}/api/sandboxes/${id}`, { method: 'DELETE', headers, signal: AbortSignal.timeout(15_000) });
  if (deleted.status !== 200) throw new Error(`delete ${id}: HTTP ${deleted.status} ${(await deleted.text()).slice(0, 200)}`);
  return { toResponseMs, toRunningMs };
}

/** How often the load polls a sandbox's status (DeerFlow's readiness loop polls at about this pace). */
export const POLL_MS = 250;

/**
 * The agent's env for the bench: the chart's, pointed at the bench cluster, as `name` in `mode`.
 * No ownership leases (there is no Redis here) and no caps (upstream has none; the chart's 50
 * live and 5 per user would answer 429 at concurrency 50).
 */
export function benchAgentEnv(c: BenchCluster, chartEnv: Readonly<Record<string, string>>, name: string, mode: 'Headless' | 'ClusterIP', extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env = Object.fromEntries(Object.entries(chartEnv).filter(([key]) => !key.startsWith('SANDBOX_AGENT_OWNERSHIP_')));
  return {
    ...env,
    KUBECONFIG_PATH: c.kubeconfig,
    K8S_NAMESPACE: c.namespace,
    PROVISIONER_API_KEY: API_KEY,
    POD_NAME: name,
    SANDBOX_SERVICE_TYPE: mode,
    ...NO_CLAIMS,
    SANDBOX_AGENT_OWNER_CONFIGMAP: OWNER_CONFIGMAP,
    SANDBOX_AGENT_LEASE_NAME: name,
    SANDBOX_AGENT_MAX_SANDBOXES: '0',
    SANDBOX_AGENT_MAX_SANDBOXES_PER_USER: '0',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export async function startAgentContender(c: BenchCluster, mode: 'Headless' | 'ClusterIP', chartEnv: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>> = {}, label = `agent/${mode}`): Promise<HttpContender> {
  const env = benchAgentEnv(c, chartEnv, `bench-agent-${mode.toLowerCase()}`, mode, extra);
  const agent: AgentProcess = await startAgentProcess({ env, entry: 'dist', name: `agent (${mode})` });
  return { name: label, url: agent.url, pid: agent.proc.pid, acquire: (id, user) => httpAcquire(agent.url, id, user, POLL_MS), stop: async () => void (await agent.stop()) };
}

/** The ConfigMap the agent's sandboxes are owned by (the chart creates it; the bench makes it). */
export const OWNER_CONFIGMAP = 'bench-owner';

export async function startUpstreamContender(c: BenchCluster, mode: 'ClusterIP' | 'NodePort', workDir: string, extra: Readonly<Record<string, string>> = {}): Promise<HttpContender> {
  const deerflow = await deerflowEnvironment();
  const port = await freePort('127.0.0.1');
  const name = `upstream-${mode.toLowerCase()}`;
  const pid = await startDaemon({
    name,
    command: deerflow.python,
    args: ['-m', 'uvicorn', 'app:app', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning'],
    cwd: path.join(deerflow.source, 'docker', 'provisioner'),
    env: {
      K8S_NAMESPACE: c.namespace,
      KUBECONFIG_PATH: c.kubeconfig,
      PROVISIONER_API_KEY: API_KEY,
      SANDBOX_SERVICE_TYPE: mode,
      NODE_HOST: '127.0.0.1',
      SANDBOX_IMAGE: 'bench/sandbox:1.0.0',
      THREADS_HOST_PATH: '/var/local/antler-bench/threads',
      DEER_FLOW_HOST_BASE_DIR: '/var/local/antler-bench',
      ...extra,
    },
    pidDir: workDir,
    logDir: workDir,
  });
  const url = `http://127.0.0.1:${port}`;
  const log = path.join(workDir, `${name}.log`);
  await waitFor(`the official provisioner (${mode}) on ${url}/health`, 60_000, async () => {
    if (!processRunning(pid)) return 'exited' as const;
    return fetch(`${url}/health`).then((r) => r.ok && ('up' as const), () => false as const);
  }, 200).then(async (outcome) => {
    if (outcome === 'exited') throw new Error(`the official provisioner exited:\n${await logTail(log, 30)}`);
  });
  return { name: `upstream/${mode}`, url, pid, acquire: (id, user) => httpAcquire(url, id, user, POLL_MS), stop: () => stopProcesses([pid], 10_000, name) };
}

/**
 * The floor: what any provisioner must at least do, done by a minimal client on one keep-alive
 * connection: create the agent's Pod spec, see it Running through a watch, delete it.
 */
export async function startFloorContender(c: BenchCluster, chartEnv: Readonly<Record<string, string>>): Promise<Contender> {
  const kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  // The agent's own transport: one keep-alive agent per TLS identity, plain JSON (jsonapi.ts).
  const auth = new PooledAuthentication(kc);
  const api = new JsonApi(kc, auth);
  const cfg = loadConfig({ ...chartEnv, ...NO_CLAIMS, K8S_NAMESPACE: c.namespace, PROVISIONER_API_KEY: API_KEY, SANDBOX_SERVICE_TYPE: 'Headless' });
  const running = new Map<string, () => void>();
  const watch = new Watch(kc);
  // One watch for the whole run, started again whenever the API server closes it (it does, every
  // few minutes). A watch without a resourceVersion begins with the current Pods, so a Pod that
  // became Running in the gap is still seen.
  let stopped = false;
  let request: AbortController | undefined;
  const startWatch = async (): Promise<void> => {
    request = await watch.watch(`/api/v1/namespaces/${c.namespace}/pods`, { labelSelector: `${LABEL_APP}=${LABEL_APP_VALUE}` }, (_type, pod: V1Pod) => {
      if (pod.status?.phase === 'Running') running.get(pod.metadata?.name ?? '')?.();
    }, () => {
      if (!stopped) setTimeout(() => void startWatch().catch(() => undefined), 100);
    });
  };
  await startWatch();
  return {
    name: 'floor',
    pid: undefined,
    async acquire(id, user) {
      const parsed = parseCreateRequest(DEERFLOW_BODY(id, user));
      if (!parsed.ok) throw new Error(`bad id ${id}`);
      const body = buildPod(parsed.value, resolveMounts(parsed.value, cfg), { cfg, ownerReference: undefined, now: new Date() });
      const name = body.metadata?.name ?? '';
      const isRunning = new Promise<void>((resolve) => running.set(name, resolve));
      const t0 = performance.now();
      await api.request(HttpMethod.POST, resourcePath(c.namespace, 'pods'), { body });
      try {
        const toResponseMs = performance.now() - t0;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([isRunning, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${name} not Running within 60 s`)), 60_000)))]).finally(() => clearTimeout(timer));
        return { toResponseMs, toRunningMs: performance.now() - t0 };
      } finally {
        running.delete(name);
        await api.request(HttpMethod.DELETE, resourcePath(c.namespace, 'pods', name), { query: { gracePeriodSeconds: 0 } });
      }
    },
    async stop() {
      stopped = true;
      request?.abort();
      auth.destroy();
    },
  };
}

/** Cumulative CPU seconds (user + system) of a process, from /proc. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, utime 14 and stime 15 (1-based), in clock ticks (100/s on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident set (VmHWM) of a process in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

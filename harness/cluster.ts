// Test clusters behind one small interface. `local` runs a real control plane (etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler) from our pinned binaries through
// kwokctl's binary runtime, with kwok simulating the nodes; `kind` runs real nodes in containers.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, succeeds } from './exec.js';
import { log, step } from './progress.js';
import { KUBERNETES_VERSION } from './tool-manifest.js';
import { cacheRoot, ensureTools, resolveCrds, resolveTool } from './tools.js';

export type BackendName = 'local' | 'kind';

export interface ClusterInfo {
  backend: BackendName;
  name: string;
  kubeconfig: string;
  /** True when this call created the cluster (callers that did should also tear it down). */
  created: boolean;
}

export interface ClusterBackend {
  readonly name: BackendName;
  up(): Promise<ClusterInfo>;
  down(): Promise<void>;
  /** The running cluster, if any, without changing anything. */
  current(): Promise<ClusterInfo | undefined>;
}

const HARNESS_DIR = path.dirname(fileURLToPath(import.meta.url));
export const FAKE_NODE_ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;

export function clusterName(): string {
  const name = process.env.ANTLER_CLUSTER_NAME ?? 'antler';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 40) {
    throw new Error(`ANTLER_CLUSTER_NAME="${name}" must be a DNS label of at most 40 characters`);
  }
  return name;
}

async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const bin = await resolveTool('kubectl');
  return (await run(bin, ['--kubeconfig', kubeconfig, ...args], { input })).stdout;
}

export function fakeNodeManifest(index: number, zone: string): string {
  const name = `kwok-node-${index}`;
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/role': 'agent',
        'node-role.kubernetes.io/agent': '',
        'topology.kubernetes.io/zone': zone,
        'topology.kubernetes.io/region': 'local',
        type: 'kwok',
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '250', 'ephemeral-storage': '500Gi' },
      capacity: { cpu: '32', memory: '256Gi', pods: '250', 'ephemeral-storage': '500Gi' },
      phase: 'Running',
    },
  });
}

/** Apply CRDs for the chart's optional kinds (KEDA, Istio, prometheus-operator) and wait for them. */
export async function installCrds(kubeconfig: string): Promise<number> {
  const files = await resolveCrds();
  for (const file of files) {
    await kubectl(kubeconfig, ['apply', '--server-side', '--force-conflicts', '-f', file]);
  }
  await kubectl(kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
  return files.length;
}

async function waitForReadyNodes(kubeconfig: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // `kubectl wait` is watch-based; it fails fast if nodes do not exist yet, so retry until they do.
  while (Date.now() < deadline) {
    const ok = await succeeds(await resolveTool('kubectl'), [
      '--kubeconfig', kubeconfig, 'wait', '--for=condition=Ready', 'node', '--all', `--timeout=${Math.max(1, Math.round((deadline - Date.now()) / 1000))}s`,
    ]);
    const ready = JSON.parse(await kubectl(kubeconfig, ['get', 'nodes', '-o', 'json'])) as {
      items: { status?: { conditions?: { type: string; status: string }[] } }[];
    };
    const readyCount = ready.items.filter((node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    if (ok && readyCount >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`nodes did not become Ready within ${timeoutMs / 1000}s`);
}

export class LocalBackend implements ClusterBackend {
  readonly name = 'local' as const;
  private readonly clusterDir: string;
  readonly workDir: string;
  /** The kwokctl cluster name (ANTLER_CLUSTER_NAME by default). */
  readonly instanceName: string;

  constructor(private readonly clusterNameValue = clusterName()) {
    this.instanceName = clusterNameValue;
    this.workDir = path.join(cacheRoot(), 'kwok');
    this.clusterDir = path.join(this.workDir, 'clusters', this.clusterNameValue);
  }

  get kubeconfig(): string {
    return path.join(this.clusterDir, 'kubeconfig.yaml');
  }


  private async kwokctlEnv(): Promise<Record<string, string>> {
    const tools = await ensureTools(['kwok', 'kwokctl', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd']);
    return {
      KWOK_WORKDIR: this.workDir,
      KWOK_RUNTIME: 'binary',
      KWOK_KUBE_VERSION: `v${KUBERNETES_VERSION}`,
      KWOK_KUBE_APISERVER_BINARY: tools['kube-apiserver'] as string,
      KWOK_KUBE_CONTROLLER_MANAGER_BINARY: tools['kube-controller-manager'] as string,
      KWOK_KUBE_SCHEDULER_BINARY: tools['kube-scheduler'] as string,
      KWOK_KUBECTL_BINARY: tools.kubectl as string,
      KWOK_CONTROLLER_BINARY: tools.kwok as string,
      KWOK_ETCD_BINARY: tools.etcd as string,
    };
  }

  private async kwokctl(args: string[]): Promise<string> {
    const env = await this.kwokctlEnv();
    return (await run(await resolveTool('kwokctl'), [...args, '--name', this.clusterNameValue], { env })).stdout;
  }

  private async healthy(): Promise<boolean> {
    if (!existsSync(this.kubeconfig)) return false;
    return succeeds(await resolveTool('kubectl'), ['--kubeconfig', this.kubeconfig, 'get', '--raw', '/readyz', '--request-timeout=5s']);
  }

  async current(): Promise<ClusterInfo | undefined> {
    if (!(await this.healthy())) return undefined;
    return { backend: 'local', name: this.clusterNameValue, kubeconfig: this.kubeconfig, created: false };
  }

  async up(): Promise<ClusterInfo> {
    const existing = await this.current();
    if (existing) {
      await this.ensureNodes();
      await installCrds(this.kubeconfig);
      return existing;
    }
    if (existsSync(this.clusterDir)) {
      log('cluster', `found a stopped or broken cluster "${this.clusterNameValue}"; recreating it`);
      await this.down();
    }
    const configFile = await this.writeKwokctlConfig();
    await step('cluster', `creating local control plane "${this.clusterNameValue}" (etcd, kube-apiserver, controller-manager, scheduler, kwok)`, async () => {
      await this.kwokctl([
        'create', 'cluster',
        '--config', configFile,
        '--runtime', 'binary',
        '--kube-authorization=true',
        '--kube-admission=true',
        '--kubeconfig', this.kubeconfig,
        '--wait', '60s',
        '--timeout', '120s',
      ]);
    });
    await this.ensureNodes();
    const crds = await step('cluster', 'installing CRDs (KEDA, Istio, prometheus-operator)', () => installCrds(this.kubeconfig));
    log('cluster', `${crds} CRD manifests applied`);
    return { backend: 'local', name: this.clusterNameValue, kubeconfig: this.kubeconfig, created: true };
  }

  /**
   * Every listening port chosen up front: kwokctl's own defaults count down from 32766 and two
   * clusters on one machine (the shared test cluster and a lifecycle test's) would collide.
   */
  private async writeKwokctlConfig(): Promise<string> {
    const [apiserver, etcd, etcdPeer, controllerManager, scheduler, kwokController] = await freePorts(6);
    const file = path.join(this.workDir, `${this.clusterNameValue}.kwokctl.yaml`);
    await mkdir(this.workDir, { recursive: true });
    await writeFile(
      file,
      [
        'apiVersion: config.kwok.x-k8s.io/v1alpha1',
        'kind: KwokctlConfiguration',
        'options:',
        `  kubeApiserverPort: ${apiserver}`,
        `  etcdPort: ${etcd}`,
        `  etcdPeerPort: ${etcdPeer}`,
        `  kubeControllerManagerPort: ${controllerManager}`,
        `  kubeSchedulerPort: ${scheduler}`,
        `  kwokControllerPort: ${kwokController}`,
        '',
      ].join('\n'),
    );
    return file;
  }

  private async ensureNodes(): Promise<void> {
    const manifests = FAKE_NODE_ZONES.map((zone, index) => fakeNodeManifest(index, zone));
    await kubectl(this.kubeconfig, ['apply', '-f', '-'], `{"apiVersion":"v1","kind":"List","items":[${manifests.join(',')}]}`);
    await step('cluster', `waiting for ${FAKE_NODE_ZONES.length} kwok nodes to be Ready`, () =>
      waitForReadyNodes(this.kubeconfig, FAKE_NODE_ZONES.length, 60_000),
    );
  }

  /** PIDs of processes kwokctl started for this cluster (their pid files live in the cluster dir). */
  async componentPids(): Promise<number[]> {
    const pidDir = path.join(this.clusterDir, 'pids');
    if (!existsSync(pidDir)) return [];
    const pids: number[] = [];
    for (const file of await readdir(pidDir)) {
      const pid = Number.parseInt((await readFile(path.join(pidDir, file), 'utf8')).trim(), 10);
      if (Number.isInteger(pid) && pid > 0) pids.push(pid);
    }
    return pids;
  }

  /** The ports written into our kwokctl config for this cluster (none if it has no config). */
  private async componentPorts(): Promise<number[]> {
    const config = await readFile(path.join(this.workDir, `${this.clusterNameValue}.kwokctl.yaml`), 'utf8').catch(() => '');
    return [...config.matchAll(/Port: (\d+)$/gm)].map((match) => Number(match[1]));
  }

  /**
   * Kills one control-plane component and starts it again with the same command line, working
   * directory and log file, updating kwokctl's pid file so cluster-down still finds it. This is
   * a real process restart (e.g. kube-apiserver: every client watch breaks; etcd keeps state).
   */
  async restartComponent(component: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok-controller'): Promise<number> {
    const pidFile = path.join(this.clusterDir, 'pids', `${component}.pid`);
    const pid = Number.parseInt((await readFile(pidFile, 'utf8')).trim(), 10);
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    const cwd = await readlink(`/proc/${pid}/cwd`);
    const [bin, ...args] = argv;
    if (!bin) throw new Error(`no command line for ${component} (pid ${pid})`);
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (processRunning(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    // A listening socket can outlive the SIGKILL by a moment; starting too early fails to bind.
    const port = Number(/^--secure-port=(\d+)$/.exec(args.find((arg) => arg.startsWith('--secure-port=')) ?? '')?.[1]);
    while (port && (await portListening(port)) && Date.now() < deadline + 10_000) await new Promise((resolve) => setTimeout(resolve, 100));
    const logFd = openSync(path.join(this.clusterDir, 'logs', `${component}.log`), 'a');
    const child = spawn(bin, args, { cwd, detached: true, stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    child.unref();
    if (!child.pid) throw new Error(`could not restart ${component}`);
    await writeFile(pidFile, String(child.pid));
    return child.pid;
  }

  async down(): Promise<void> {
    const pids = await this.componentPids();
    const ports = await this.componentPorts();
    if (existsSync(this.clusterDir)) {
      await step('cluster', `deleting local cluster "${this.clusterNameValue}"`, async () => {
        try {
          await this.kwokctl(['delete', 'cluster']);
        } catch (error) {
          log('cluster', `kwokctl delete failed (${(error as Error).message.split('\n')[0]}); cleaning up by hand`);
        }
      });
    }
    // Wait for kwokctl's SIGTERMs to land, then SIGKILL whatever is left, so that when down()
    // returns no component process is running and none of their ports is listening.
    const deadline = Date.now() + 10_000;
    while (pids.some(processRunning) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const pid of pids.filter(processRunning)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited in between
      }
    }
    while (pids.some(processRunning) && Date.now() < deadline + 5_000) await new Promise((resolve) => setTimeout(resolve, 50));
    for (const port of ports) {
      while ((await portListening(port)) && Date.now() < deadline + 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await rm(this.clusterDir, { recursive: true, force: true });
    await rm(path.join(this.workDir, `${this.clusterNameValue}.kwokctl.yaml`), { force: true });
  }
}

/**
 * Running, not a zombie. A SIGKILLed multi-threaded (Go) process shows its leader as a zombie
 * while its other threads are still tearing down and holding its sockets, and where init does
 * not reap, dead children linger as <defunct>: so every thread must be gone or a zombie.
 */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return tasks.some((tid) => {
    try {
      return !/^State:\s+[ZX]/m.test(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
    } catch {
      return false;
    }
  });
}

export function portListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The last lines of a component's log, for error messages. */
export async function componentLogTail(backend: LocalBackend, component: string, lines = 15): Promise<string> {
  const file = path.join(backend.workDir, 'clusters', backend.instanceName, 'logs', `${component}.log`);
  return (await readFile(file, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-lines).join('\n');
}

/** Distinct free TCP ports, held open together so the kernel cannot hand out one twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '0.0.0.0', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export class KindBackend implements ClusterBackend {
  readonly name = 'kind' as const;
  readonly configFile = path.join(HARNESS_DIR, 'kind-config.yaml');

  constructor(private readonly clusterNameValue = clusterName()) {}

  get kubeconfig(): string {
    return path.join(cacheRoot(), 'kind', this.clusterNameValue, 'kubeconfig.yaml');
  }

  private async clusters(): Promise<string[]> {
    const kind = await resolveTool('kind');
    return (await run(kind, ['get', 'clusters'])).stdout.split('\n').filter(Boolean);
  }

  async current(): Promise<ClusterInfo | undefined> {
    if (!(await this.clusters()).includes(this.clusterNameValue)) return undefined;
    return { backend: 'kind', name: this.clusterNameValue, kubeconfig: this.kubeconfig, created: false };
  }

  async up(): Promise<ClusterInfo> {
    const kind = await resolveTool('kind');
    const existing = await this.current();
    if (existing) {
      await run(kind, ['export', 'kubeconfig', '--name', this.clusterNameValue, '--kubeconfig', this.kubeconfig]);
      return existing;
    }
    await step('cluster', `creating kind cluster "${this.clusterNameValue}" (1 control plane, 2 workers)`, () =>
      run(kind, ['create', 'cluster', '--name', this.clusterNameValue, '--config', this.configFile, '--kubeconfig', this.kubeconfig, '--wait', '180s']),
    );
    await installCrds(this.kubeconfig);
    return { backend: 'kind', name: this.clusterNameValue, kubeconfig: this.kubeconfig, created: true };
  }

  /** Makes a locally built image available to the nodes (no registry involved). */
  async loadImage(image: string): Promise<void> {
    await run(await resolveTool('kind'), ['load', 'docker-image', image, '--name', this.clusterNameValue]);
  }

  async down(): Promise<void> {
    const kind = await resolveTool('kind');
    await run(kind, ['delete', 'cluster', '--name', this.clusterNameValue, '--kubeconfig', this.kubeconfig]);
    await rm(path.dirname(this.kubeconfig), { recursive: true, force: true });
  }
}

/** A container engine that answers (not just a client on PATH). */
export async function containerEngineAnswers(): Promise<boolean> {
  return (await succeeds('docker', ['info'], { timeoutMs: 10_000 })) || (await succeeds('podman', ['info'], { timeoutMs: 10_000 }));
}

export async function selectBackend(requested = process.env.CLUSTER): Promise<ClusterBackend> {
  if (requested === 'local') return new LocalBackend();
  if (requested === 'kind') return new KindBackend();
  if (requested) throw new Error(`CLUSTER="${requested}" is not a backend; use CLUSTER=kind or CLUSTER=local`);
  return (await containerEngineAnswers()) ? new KindBackend() : new LocalBackend();
}

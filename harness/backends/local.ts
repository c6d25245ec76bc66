// The local backend: a real control plane (etcd, kube-apiserver, controller-manager, scheduler)
// from our pinned binaries through kwokctl's binary runtime, three kwok nodes (cheap scale), and
// where the machine allows it one real kubelet node (harness/node) that runs real containers.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ClusterBackend, ClusterInfo } from '../cluster.js';
import { clusterName } from '../cluster-name.js';
import { run, succeeds } from '../exec.js';
import { NODE_NETWORK } from '../node/layout.js';
import { RealNode, realNodeWanted } from '../node/real-node.js';
import { freePorts, portListening } from '../ports.js';
import { logTail, processRunning, stopProcesses, waitForExit } from '../processes.js';
import { log, step } from '../progress.js';
import { KUBERNETES_VERSION } from '../tool-manifest.js';
import { cacheRoot, ensureTools, resolveTool } from '../tools.js';
import { eventually } from '../wait.js';
import { installCrds } from './crds.js';
import { kubectl } from './kubectl.js';

export const FAKE_NODE_ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;
/** kwok manages only nodes with this annotation, so it never touches the real node. */
export const FAKE_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

export function fakeNodeManifest(index: number, zone: string): string {
  const name = `kwok-node-${index}`;
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [FAKE_NODE_ANNOTATION.key]: FAKE_NODE_ANNOTATION.value, 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/role': 'agent',
        'node-role.kubernetes.io/agent': '',
        'topology.kubernetes.io/zone': zone,
        'topology.kubernetes.io/region': 'local',
        'antler.dev/node': 'kwok',
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

async function waitForReadyNodes(kubeconfig: string, names: readonly string[], timeoutMs: number): Promise<void> {
  await eventually(`nodes ${names.join(', ')} to be Ready`, timeoutMs, async () => {
    const nodes = JSON.parse(await kubectl(kubeconfig, ['get', 'nodes', '-o', 'json'])) as {
      items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
    };
    const ready = new Set(nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name));
    return names.every((name) => ready.has(name));
  }, 500);
}

export interface LocalBackendOptions {
  /** Add the real kubelet node; default from CLUSTER_REAL_NODE (auto: where the machine allows it). */
  realNode?: boolean;
}

export class LocalBackend implements ClusterBackend {
  readonly name = 'local' as const;
  private readonly clusterDir: string;
  readonly workDir: string;
  /** The kwokctl cluster name (ANTLER_CLUSTER_NAME by default). */
  readonly instanceName: string;
  readonly realNode: RealNode;
  private realNodeChoice: Promise<{ enabled: boolean; reason: string }>;

  constructor(clusterNameValue = clusterName(), options: LocalBackendOptions = {}) {
    this.instanceName = clusterNameValue;
    this.workDir = path.join(cacheRoot(), 'kwok');
    this.clusterDir = path.join(this.workDir, 'clusters', clusterNameValue);
    this.realNode = new RealNode(clusterNameValue);
    this.realNodeChoice =
      options.realNode === undefined
        ? realNodeWanted()
        : Promise.resolve({ enabled: options.realNode, reason: options.realNode ? 'requested' : 'turned off for this cluster' });
  }

  get kubeconfig(): string {
    return path.join(this.clusterDir, 'kubeconfig.yaml');
  }

  get pkiDir(): string {
    return path.join(this.clusterDir, 'pki');
  }

  /** Whether this cluster has (or would get) the real node, and why. */
  realNodeEnabled(): Promise<{ enabled: boolean; reason: string }> {
    return this.realNodeChoice;
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
    return (await run(await resolveTool('kwokctl'), [...args, '--name', this.instanceName], { env })).stdout;
  }

  private async healthy(): Promise<boolean> {
    if (!existsSync(this.kubeconfig)) return false;
    return succeeds(await resolveTool('kubectl'), ['--kubeconfig', this.kubeconfig, 'get', '--raw', '/readyz', '--request-timeout=5s']);
  }

  private info(created: boolean, realNode: boolean): ClusterInfo {
    return { backend: 'local', name: this.instanceName, kubeconfig: this.kubeconfig, created, realNode: realNode ? this.realNode.name : undefined };
  }

  async current(): Promise<ClusterInfo | undefined> {
    if (!(await this.healthy())) return undefined;
    return this.info(false, (await this.realNodeChoice).enabled && (await this.realNode.running()));
  }

  async up(): Promise<ClusterInfo> {
    const { enabled: withRealNode, reason } = await this.realNodeChoice;
    const existing = await this.current();
    if (existing && (!withRealNode || existing.realNode)) {
      await this.ensureFakeNodes();
      await installCrds(this.kubeconfig);
      return existing;
    }
    if (existsSync(this.clusterDir) || existsSync(this.realNode.paths.hostSnapshot)) {
      log('cluster', `found a stopped, broken or incomplete cluster "${this.instanceName}"; recreating it`);
      await this.down();
    }
    log('cluster', withRealNode ? `with a real kubelet node (${reason})` : `kwok nodes only: no real node (${reason})`);
    if (withRealNode) await this.realNode.prepareHost();
    try {
      const configFile = await this.writeKwokctlConfig(withRealNode);
      await step('cluster', `creating local control plane "${this.instanceName}" (etcd, kube-apiserver, controller-manager, scheduler, kwok)`, async () => {
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
      await this.ensureFakeNodes();
      if (withRealNode) await this.realNode.start({ kubeconfig: this.kubeconfig, caFile: path.join(this.pkiDir, 'ca.crt') });
      const crds = await step('cluster', 'installing CRDs (KEDA, Istio, prometheus-operator)', () => installCrds(this.kubeconfig));
      log('cluster', `${crds} CRD manifests applied`);
    } catch (error) {
      if (process.env.KEEP !== '1') {
        log('cluster', `bringing up "${this.instanceName}" failed; tearing down what was started (KEEP=1 keeps it)`);
        await this.down().catch((cleanup: Error) => log('cluster', `cleanup after the failure failed too: ${cleanup.message}`));
      }
      throw error;
    }
    return this.info(true, withRealNode);
  }

  /**
   * Every listening port chosen up front: kwokctl's own defaults count down from 32766 and two
   * clusters on one machine (the shared test cluster and a lifecycle test's) would collide. With
   * the real node the kube-apiserver also advertises the bridge address (the `kubernetes` Service
   * endpoint Pods use), carries the Service IP in its certificate, and can reach kubelets.
   */
  private async writeKwokctlConfig(withRealNode: boolean): Promise<string> {
    const [apiserver, etcd, etcdPeer, controllerManager, scheduler, kwokController] = await freePorts(6);
    const file = path.join(this.workDir, `${this.instanceName}.kwokctl.yaml`);
    await mkdir(this.workDir, { recursive: true });
    const arg = (key: string, value: string, override = false) => ({ key, value, override });
    const componentsPatches = [
      {
        // Its flexvolume prober would create /usr/libexec/kubernetes/... on the host.
        name: 'kube-controller-manager',
        extraArgs: [arg('flex-volume-plugin-dir', path.join(this.clusterDir, 'flexvolume'))],
      },
      {
        name: 'kwok-controller',
        extraArgs: [arg('manage-all-nodes', 'false', true), arg('manage-nodes-with-annotation-selector', `${FAKE_NODE_ANNOTATION.key}=${FAKE_NODE_ANNOTATION.value}`)],
      },
      ...(withRealNode
        ? [{
            name: 'kube-apiserver',
            extraArgs: [
              arg('advertise-address', NODE_NETWORK.nodeIp),
              arg('kubelet-preferred-address-types', 'InternalIP'),
              arg('kubelet-client-certificate', path.join(this.pkiDir, 'admin.crt')),
              arg('kubelet-client-key', path.join(this.pkiDir, 'admin.key')),
            ],
          }]
        : []),
    ];
    const config = {
      apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
      kind: 'KwokctlConfiguration',
      options: {
        kubeApiserverPort: apiserver,
        etcdPort: etcd,
        etcdPeerPort: etcdPeer,
        kubeControllerManagerPort: controllerManager,
        kubeSchedulerPort: scheduler,
        kwokControllerPort: kwokController,
        ...(withRealNode
          ? { kubeApiserverCertSANs: [NODE_NETWORK.apiServiceIp, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${NODE_NETWORK.clusterDomain}`] }
          : {}),
      },
      componentsPatches,
    };
    await writeFile(file, stringify(config));
    return file;
  }

  private async ensureFakeNodes(): Promise<void> {
    const manifests = FAKE_NODE_ZONES.map((zone, index) => fakeNodeManifest(index, zone));
    await kubectl(this.kubeconfig, ['apply', '-f', '-'], `{"apiVersion":"v1","kind":"List","items":[${manifests.join(',')}]}`);
    await step('cluster', `waiting for ${FAKE_NODE_ZONES.length} kwok nodes to be Ready`, () =>
      waitForReadyNodes(this.kubeconfig, FAKE_NODE_ZONES.map((_zone, index) => `kwok-node-${index}`), 60_000),
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
    const config = await readFile(path.join(this.workDir, `${this.instanceName}.kwokctl.yaml`), 'utf8').catch(() => '');
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
    if (!(await waitForExit([pid], 10_000))) throw new Error(`${component} (pid ${pid}) survived SIGKILL for 10s`);
    // A listening socket can outlive the SIGKILL by a moment; starting too early fails to bind.
    const port = Number(/^--secure-port=(\d+)$/.exec(args.find((a) => a.startsWith('--secure-port=')) ?? '')?.[1]);
    if (port) await eventually(`port ${port} of ${component} to close`, 10_000, async () => !(await portListening(port)), 100);
    const logFd = openSync(path.join(this.clusterDir, 'logs', `${component}.log`), 'a');
    const child = spawn(bin, args, { cwd, detached: true, stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    child.unref();
    if (!child.pid) throw new Error(`could not restart ${component}`);
    await writeFile(pidFile, String(child.pid));
    return child.pid;
  }

  async down(): Promise<void> {
    // The real node's workloads first (its kubelet must not outlive the API server it reports
    // to); the host is restored once the control plane is gone too.
    const withRealNode = existsSync(this.realNode.paths.dir);
    if (withRealNode) await this.realNode.stopWorkloads();
    const pids = await this.componentPids();
    const ports = await this.componentPorts();
    if (existsSync(this.clusterDir)) {
      await step('cluster', `deleting local cluster "${this.instanceName}"`, async () => {
        try {
          await this.kwokctl(['delete', 'cluster']);
        } catch (error) {
          log('cluster', `kwokctl delete failed (${(error as Error).message.split('\n')[0]}); cleaning up by hand`);
        }
      });
    }
    // kwokctl sends SIGTERM; whatever is left gets SIGKILL, so that when down() returns no
    // component process is running and none of their ports is listening.
    await stopProcesses(pids.filter(processRunning), 10_000, `cluster "${this.instanceName}" components`);
    for (const port of ports) {
      await eventually(`port ${port} to close`, 10_000, async () => !(await portListening(port)), 50);
    }
    await rm(this.clusterDir, { recursive: true, force: true });
    await rm(path.join(this.workDir, `${this.instanceName}.kwokctl.yaml`), { force: true });
    if (withRealNode) await this.realNode.restoreHost();
  }
}

/** The last lines of a control-plane component's log, for error messages. */
export async function componentLogTail(backend: LocalBackend, component: string, lines = 15): Promise<string> {
  return logTail(path.join(backend.workDir, 'clusters', backend.instanceName, 'logs', `${component}.log`), lines);
}


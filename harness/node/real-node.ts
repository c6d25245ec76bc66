// One real kubelet node next to the kwok nodes of the local backend: containerd + runc, the CNI
// bridge, kube-proxy (nftables), kube-network-policies (patched for this kernel) and CoreDNS. Its
// host changes are recorded first and undone by stop(), which proves the host is back as before.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run, succeeds } from '../exec.js';
import { buildImage, imageReference, importImage, type Ctr } from '../images/build.js';
import { freePorts } from '../ports.js';
import { daemonPid, logTail, processRunning, startDaemon, stopDaemon, stopProcesses } from '../processes.js';
import { log, step } from '../progress.js';
import { ensureSystemPackages } from '../system-packages.js';
import { ensureTools } from '../tools.js';
import { REAL_NODE_TOOLS } from '../tool-manifest.js';
import { eventually } from '../wait.js';
import { corednsManifests, networkPolicyManifests } from './addons.js';
import { cniConfig, containerdConfig, isolationRuleset, kubeletConfig, kubeProxyConfig, nfqueueRule } from './config.js';
import { captureHostState, compareHostState, loadHostState, restoreHostState, saveHostState } from './host-state.js';
import { NODE_NETWORK, REAL_NODE_LABEL, nodePaths, realNodeName, type NodePaths } from './layout.js';

/** Debian packages the node runs with: the OCI runtime and the firewall tools its daemons call. */
export const NODE_PACKAGES = ['runc', 'iptables', 'nftables', 'conntrack', 'iproute2'];
const ISOLATION_TABLE = 'antler-isolation';
const DAEMONS = ['kube-proxy', 'kubelet', 'containerd'] as const;

export interface RealNodeSupport {
  ok: boolean;
  reason?: string;
}

/** Whether this machine can run the real node (root on Linux with cgroups, overlayfs, /dev/kmsg). */
export async function realNodeSupport(): Promise<RealNodeSupport> {
  if (process.platform !== 'linux') return { ok: false, reason: `the real node needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the real node needs root (kubelet, containerd and the CNI bridge change the host)' };
  if (!existsSync('/sys/fs/cgroup/memory') && !existsSync('/sys/fs/cgroup/cgroup.controllers')) return { ok: false, reason: 'no cgroup hierarchy under /sys/fs/cgroup' };
  const filesystems = await readFile('/proc/filesystems', 'utf8').catch(() => '');
  if (!/\toverlay$/m.test(filesystems)) return { ok: false, reason: 'the kernel has no overlayfs (containerd snapshotter)' };
  if (!existsSync('/dev/kmsg')) return { ok: false, reason: '/dev/kmsg is missing (the kubelet needs it)' };
  if (!(await succeeds('apt-get', ['--version'])) && !(await succeeds('runc', ['--version']))) return { ok: false, reason: 'neither runc nor apt-get (to install it) is available' };
  return { ok: true };
}

/** `CLUSTER_REAL_NODE`: `1` requires the real node, `0` turns it off, unset uses it where the machine allows. */
export async function realNodeWanted(env = process.env.CLUSTER_REAL_NODE): Promise<{ enabled: boolean; reason: string }> {
  if (env !== undefined && env !== '' && env !== '0' && env !== '1') throw new Error(`CLUSTER_REAL_NODE="${env}" must be 0 or 1`);
  if (env === '0') return { enabled: false, reason: 'CLUSTER_REAL_NODE=0' };
  const support = await realNodeSupport();
  if (env === '1' && !support.ok) throw new Error(`CLUSTER_REAL_NODE=1 but ${support.reason}`);
  return support.ok ? { enabled: true, reason: 'the machine allows it' } : { enabled: false, reason: support.reason ?? 'unsupported' };
}

async function v1CgroupHierarchies(): Promise<string[]> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  return mounts
    .split('\n')
    .filter((line) => / - cgroup /.test(line))
    .map((line) => line.split(' ')[4] as string)
    .filter((mount) => mount.startsWith('/sys/fs/cgroup/'));
}

/** Removes a cgroup subtree bottom-up (a cgroup can only be removed when it has no children). */
async function removeCgroupTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeCgroupTree(path.join(dir, entry.name));
  }
  await eventually(`cgroup ${dir} to be removable`, 15_000, async () => {
    try {
      await rmdir(dir);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw error;
    }
  }, 100);
}

export class RealNode {
  readonly paths: NodePaths;
  readonly name: string;

  constructor(readonly cluster: string) {
    this.paths = nodePaths(cluster);
    this.name = realNodeName(cluster);
  }

  get ctr(): Promise<Ctr> {
    return ensureTools(['ctr']).then((tools) => ({ binary: tools.ctr as string, address: this.paths.containerdSocket }));
  }

  /**
   * Before the control plane starts: host packages, the host snapshot, the Pod bridge (its address
   * must exist when kwokctl generates the kube-apiserver certificate), forwarding isolation, the
   * NFQUEUE rule and our cgroup root.
   */
  async prepareHost(): Promise<void> {
    await ensureSystemPackages(NODE_PACKAGES, 'the real node');
    await ensureTools(REAL_NODE_TOOLS);
    if (existsSync(this.paths.hostSnapshot)) {
      log('node', `a previous real node "${this.name}" was not stopped; tearing it down first`);
      await this.stop();
    }
    await mkdir(this.paths.dir, { recursive: true });
    await saveHostState(this.paths.hostSnapshot, await captureHostState());
    await step('node', `host network for the real node (bridge ${NODE_NETWORK.bridge} ${NODE_NETWORK.nodeIp}, isolation, NFQUEUE)`, async () => {
      await run('ip', ['link', 'add', NODE_NETWORK.bridge, 'type', 'bridge']);
      await run('ip', ['addr', 'add', `${NODE_NETWORK.nodeIp}/${NODE_NETWORK.podCidr.split('/')[1]}`, 'dev', NODE_NETWORK.bridge]);
      await run('ip', ['link', 'set', NODE_NETWORK.bridge, 'up']);
      await run('nft', ['-f', '-'], { input: isolationRuleset(ISOLATION_TABLE) });
      await run('iptables', nfqueueRule('-A'));
      // Pod → Service → Pod on the same bridge is routed through the host.
      await writeFile('/proc/sys/net/ipv4/ip_forward', '1');
    });
    for (const hierarchy of await v1CgroupHierarchies()) {
      const dir = path.join(hierarchy, this.paths.cgroupRoot);
      await mkdir(dir, { recursive: true });
      if (path.basename(hierarchy).includes('cpuset')) {
        for (const file of ['cpuset.cpus', 'cpuset.mems']) await writeFile(path.join(dir, file), (await readFile(path.join(hierarchy, file), 'utf8')).trim());
      }
    }
  }

  /** After the control plane is up: the node's daemons, its base images, Ready, then CoreDNS. */
  async start(options: { kubeconfig: string; caFile: string }): Promise<void> {
    const tools = await ensureTools(REAL_NODE_TOOLS);
    const p = this.paths;
    for (const dir of [p.runDir, p.kubeletRoot, p.cniConfDir, p.cniBinDir, p.cniIpamDir, p.logDir, p.pidDir]) await mkdir(dir, { recursive: true });
    for (const [tool, plugin] of [['cni-bridge', 'bridge'], ['cni-host-local', 'host-local'], ['cni-loopback', 'loopback'], ['cni-portmap', 'portmap']] as const) {
      const link = path.join(p.cniBinDir, plugin);
      await rm(link, { force: true });
      await symlink(tools[tool] as string, link);
    }
    const kubeconfig = path.join(p.dir, 'kubeconfig.yaml');
    await writeFile(kubeconfig, await readFile(options.kubeconfig));
    const [kubeletPort, kubeletHealthz, proxyHealthz, proxyMetrics, knpMetrics] = await freePorts(5);
    const pause = await buildImage('pause');
    const runc = (await run('sh', ['-c', 'command -v runc'])).stdout.trim();
    await writeFile(path.join(p.dir, 'containerd.toml'), containerdConfig(p, imageReference(pause), runc));
    await writeFile(path.join(p.cniConfDir, '10-antler.conflist'), cniConfig(p));
    await writeFile(path.join(p.dir, 'kubelet.yaml'), kubeletConfig(p, { port: kubeletPort as number, healthzPort: kubeletHealthz as number }, options.caFile));
    await writeFile(path.join(p.dir, 'kube-proxy.yaml'), kubeProxyConfig(kubeconfig, this.name, { healthzPort: proxyHealthz as number, metricsPort: proxyMetrics as number }));
    const daemon = (name: string, command: string, args: string[], env: Record<string, string> = {}) =>
      startDaemon({ name, command, args, env, pidDir: p.pidDir, logDir: p.logDir });

    await step('node', 'starting containerd', async () => {
      // The shim must be on containerd's PATH.
      await daemon('containerd', tools.containerd as string, ['--config', path.join(p.dir, 'containerd.toml')], {
        PATH: `${path.dirname(tools['containerd-shim-runc-v2'] as string)}:${process.env.PATH ?? ''}`,
      });
      const ctr = await this.ctr;
      await eventually('containerd to answer', 30_000, () => succeeds(ctr.binary, ['--address', ctr.address, 'version']), 200).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await logTail(path.join(p.logDir, 'containerd.log'))}`);
      });
      await importImage(ctr, pause);
    });
    await step('node', `starting kubelet and kube-proxy for node ${this.name}`, async () => {
      await daemon('kubelet', tools.kubelet as string, [
        `--config=${path.join(p.dir, 'kubelet.yaml')}`,
        `--kubeconfig=${kubeconfig}`,
        `--hostname-override=${this.name}`,
        `--node-ip=${NODE_NETWORK.nodeIp}`,
        `--node-labels=${REAL_NODE_LABEL.key}=${REAL_NODE_LABEL.value},topology.kubernetes.io/zone=zone-real`,
        `--root-dir=${p.kubeletRoot}`,
        `--cert-dir=${path.join(p.kubeletRoot, 'pki')}`,
        `--volume-plugin-dir=${path.join(p.dir, 'volume-plugins')}`,
        '--v=1',
      ]);
      await daemon('kube-proxy', tools['kube-proxy'] as string, [`--config=${path.join(p.dir, 'kube-proxy.yaml')}`, '--v=1']);
    });
    const kubectl = (await ensureTools(['kubectl'])).kubectl as string;
    await step('node', `waiting for node ${this.name} to be Ready`, () =>
      eventually(`node ${this.name} Ready`, 90_000, async () => {
        await this.assertDaemonsRunning();
        const { stdout } = await run(kubectl, ['--kubeconfig', options.kubeconfig, 'get', 'node', this.name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).catch(() => ({ stdout: '' }));
        return stdout.trim() === 'True';
      }, 500),
    );
    await step('node', 'add-ons on the real node: CoreDNS (kube-dns Service) and kube-network-policies', async () => {
      const refs = await this.loadImages(['coredns', 'kube-network-policies']);
      const items = [...corednsManifests(refs.coredns as string), ...networkPolicyManifests(refs['kube-network-policies'] as string, knpMetrics as number)];
      await run(kubectl, ['--kubeconfig', options.kubeconfig, 'apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
      await run(kubectl, ['--kubeconfig', options.kubeconfig, '-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=120s']);
      await run(kubectl, ['--kubeconfig', options.kubeconfig, '-n', 'kube-system', 'rollout', 'status', 'daemonset/kube-network-policies', '--timeout=120s']);
    });
  }

  /** Throws with the daemon's log tail if one of the node's daemons has exited. */
  async assertDaemonsRunning(): Promise<void> {
    for (const name of DAEMONS) {
      const pid = await daemonPid(this.paths.pidDir, name);
      if (pid === undefined || !processRunning(pid)) {
        throw new Error(`the real node's ${name} is not running:\n${await logTail(path.join(this.paths.logDir, `${name}.log`))}`);
      }
    }
  }

  async running(): Promise<boolean> {
    try {
      await this.assertDaemonsRunning();
      return true;
    } catch {
      return false;
    }
  }

  /** Loads locally built images into the node's containerd (skipped when already there). */
  async loadImages(names: Parameters<typeof buildImage>[0][]): Promise<Record<string, string>> {
    const refs: Record<string, string> = {};
    const ctr = await this.ctr;
    for (const name of names) {
      const image = await buildImage(name);
      await importImage(ctr, image);
      refs[name] = imageReference(image);
    }
    return refs;
  }

  /** The host pid of a running container's main process (`containerd://<id>` or a bare id). */
  async containerPid(containerId: string): Promise<number> {
    const id = containerId.replace(/^containerd:\/\//, '');
    const ctr = await this.ctr;
    const { stdout } = await run(ctr.binary, ['--address', ctr.address, '--namespace', 'k8s.io', 'tasks', 'ls']);
    const pid = Number(stdout.split('\n').find((line) => line.startsWith(`${id} `))?.trim().split(/\s+/)[1]);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`container ${id} has no running task on the real node`);
    return pid;
  }

  /** SIGKILL of a container's main process from the host (a real `kill -9`, not a Pod delete). */
  async killContainer(containerId: string): Promise<number> {
    const pid = await this.containerPid(containerId);
    process.kill(pid, 'SIGKILL');
    return pid;
  }

  /** Stops everything and puts the host back (both halves below); throws listing what differs. */
  async stop(): Promise<void> {
    await this.stopWorkloads();
    await this.restoreHost();
  }

  /**
   * Stops the node: the kubelet first (it must not recreate what is removed), then every Pod
   * through containerd, the remaining daemons, leftover shims, and unmounts what they mounted.
   */
  async stopWorkloads(): Promise<void> {
    const p = this.paths;
    if (!existsSync(p.pidDir)) return;
    await step('node', `stopping the real node ${this.name}`, async () => {
      await stopDaemon(p.pidDir, 'kubelet', 10_000);
      await this.removeAllPods();
      for (const name of ['kube-proxy', 'containerd'] as const) await stopDaemon(p.pidDir, name, 10_000);
      await this.killShims();
      await this.unmountUnder([p.runDir, p.dir, p.containerdRoot]);
    });
  }

  /**
   * Puts the host back as the snapshot recorded it: the bridge, cgroups, firewall rules, sysctls
   * and host paths; then compares and throws listing whatever still differs.
   */
  async restoreHost(): Promise<void> {
    const p = this.paths;
    const before = await loadHostState(p.hostSnapshot);
    await step('node', 'restoring the host as it was before the real node', async () => {
      await run('iptables', nfqueueRule('-D')).catch(() => undefined);
      if (existsSync(`/sys/class/net/${NODE_NETWORK.bridge}`)) await run('ip', ['link', 'del', NODE_NETWORK.bridge]);
      for (const hierarchy of await v1CgroupHierarchies()) await removeCgroupTree(path.join(hierarchy, p.cgroupRoot));
      if (before) await restoreHostState(before);
      await rm(p.runDir, { recursive: true, force: true });
      if (existsSync('/run/antler') && (await readdir('/run/antler')).length === 0) await rmdir('/run/antler');
    });
    if (before) {
      const differences = compareHostState(before, await captureHostState());
      if (differences.length > 0) throw new Error(`the real node left the host changed:\n  ${differences.join('\n  ')}`);
    }
    await rm(p.dir, { recursive: true, force: true });
  }

  /** Stops and removes every container and Pod sandbox through containerd (CRI namespace). */
  private async removeAllPods(): Promise<void> {
    const pid = await daemonPid(this.paths.pidDir, 'containerd');
    if (pid === undefined || !processRunning(pid)) return;
    const ctr = await this.ctr;
    const c = (args: string[]) => run(ctr.binary, ['--address', ctr.address, '--namespace', 'k8s.io', ...args], { timeoutMs: 60_000 });
    const tasks = (await c(['tasks', 'ls', '-q']).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    for (const task of tasks) await c(['tasks', 'kill', '--all', '--signal', 'SIGKILL', task]).catch(() => undefined);
    for (const task of tasks) {
      await eventually(`task ${task} to stop`, 15_000, async () => !(await c(['tasks', 'ls', '-q']).catch(() => ({ stdout: '' }))).stdout.includes(task) || (await c(['tasks', 'delete', task]).then(() => true, () => false)), 200).catch(() => undefined);
    }
    const containers = (await c(['containers', 'ls', '-q']).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    for (const container of containers) await c(['containers', 'rm', container]).catch(() => undefined);
    // Pod network namespaces live under containerd's state dir (netns_mounts_under_state_dir).
    const netnsDir = path.join(this.paths.runDir, 'containerd', 'netns');
    for (const ns of existsSync(netnsDir) ? await readdir(netnsDir) : []) {
      await run('umount', [path.join(netnsDir, ns)]).catch(() => undefined);
    }
  }

  /** containerd-shim-runc-v2 processes started for this node's containerd. */
  private async killShims(): Promise<void> {
    const shims: number[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
      if (cmdline[0]?.endsWith('containerd-shim-runc-v2') && cmdline.includes(this.paths.containerdSocket)) shims.push(Number(entry));
    }
    if (shims.length > 0) await stopProcesses(shims, 5_000, 'containerd shims');
  }

  /** Unmounts everything mounted below `roots`, deepest first. */
  private async unmountUnder(roots: string[]): Promise<void> {
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => (line.split(' ')[4] as string).replace(/\\040/g, ' '))
      .filter((mount) => roots.some((root) => mount === root || mount.startsWith(`${root}/`)))
      .sort((a, b) => b.length - a.length);
    for (const mount of mounts) {
      if (!(await succeeds('umount', [mount]))) await run('umount', ['-l', mount]);
    }
  }
}

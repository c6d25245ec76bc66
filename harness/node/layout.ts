// The real node's fixed network plan and its paths: one source for every address the node, its
// configs, the kube-apiserver flags and the values profile use.
import path from 'node:path';
import { cacheRoot } from '../tools.js';

export const NODE_NETWORK = {
  /** A bridge of our own (not `cni0`), so a host's own CNI setup is never touched. */
  bridge: 'antler0',
  podCidr: '10.244.0.0/24',
  /** The bridge's address: node IP, kubelet/kube-proxy bind address, kube-apiserver advertise address. */
  nodeIp: '10.244.0.1',
  clusterCidr: '10.244.0.0/16',
  serviceCidr: '10.0.0.0/24',
  apiServiceIp: '10.0.0.1',
  dnsServiceIp: '10.0.0.10',
  clusterDomain: 'cluster.local',
  /** kube-network-policies' NFQUEUE number and the packet mark our patch sets instead of queueing. */
  nfqueue: 100,
  nfqueueMark: '0x100000',
} as const;

/** Real Pods are placed by explicit selection: this label and a toleration for this taint. */
export const REAL_NODE_LABEL = { key: 'antler.dev/node', value: 'real' } as const;
export const REAL_NODE_TAINT = { key: 'antler.dev/real-node', value: 'true', effect: 'NoSchedule' } as const;

export interface NodePaths {
  /** Per-cluster node state under the cache (configs, kubelet root, CNI, logs, pids, host snapshot). */
  dir: string;
  /** Sockets and runtime state on /run (short paths: unix sockets are limited to 108 bytes). */
  runDir: string;
  /** containerd's content and snapshots: kept across clusters so imported images stay warm. */
  containerdRoot: string;
  containerdSocket: string;
  kubeletRoot: string;
  cniConfDir: string;
  cniBinDir: string;
  cniIpamDir: string;
  logDir: string;
  pidDir: string;
  hostSnapshot: string;
  /** The cgroup (in every v1 hierarchy) the kubelet's pods live under. */
  cgroupRoot: string;
}

export function nodePaths(cluster: string): NodePaths {
  const dir = path.join(cacheRoot(), 'node', cluster);
  const runDir = path.join('/run/antler', cluster);
  return {
    dir,
    runDir,
    containerdRoot: path.join(cacheRoot(), 'node', 'containerd'),
    containerdSocket: path.join(runDir, 'containerd.sock'),
    kubeletRoot: path.join(dir, 'kubelet'),
    cniConfDir: path.join(dir, 'cni', 'net.d'),
    cniBinDir: path.join(dir, 'cni', 'bin'),
    cniIpamDir: path.join(dir, 'cni', 'ipam'),
    logDir: path.join(dir, 'logs'),
    pidDir: path.join(dir, 'pids'),
    hostSnapshot: path.join(dir, 'host-before.json'),
    cgroupRoot: `/antler-${cluster}`,
  };
}

export const realNodeName = (cluster: string) => `${cluster}-real`;

// The real node's generated configuration, checked by the daemons' own parsers where they have one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run } from '../exec.js';
import { resolveTool } from '../tools.js';
import { cniConfig, containerdConfig, isolationRuleset, kubeletConfig, kubeProxyConfig, nfqueueRule } from './config.js';
import { compareHostState, splitNftRuleset, type HostState } from './host-state.js';
import { NODE_NETWORK, nodePaths } from './layout.js';

const scratch = await mkdtemp(path.join(os.tmpdir(), 'antler-node-config-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));
const paths = nodePaths('unit');

describe('real node configuration', () => {
  it('containerd accepts its config and keeps every path ours', async () => {
    const file = path.join(scratch, 'containerd.toml');
    await writeFile(file, containerdConfig(paths, 'localhost/antler/pause:1.0.0@sha256:abc', '/usr/sbin/runc'));
    const { stdout } = await run(await resolveTool('containerd'), ['--config', file, 'config', 'dump']);
    expect(stdout).toContain(`root = '${paths.containerdRoot}'`);
    expect(stdout).toContain(`address = '${paths.containerdSocket}'`);
    expect(stdout).toMatch(/restrict_oom_score_adj = true/);
    expect(stdout).toMatch(/netns_mounts_under_state_dir = true/);
    expect(stdout).toContain("sandbox = 'localhost/antler/pause:1.0.0@sha256:abc'");
    expect(stdout).not.toMatch(/'\/var\/lib\/containerd|'\/etc\/cni/);
  });

  it('the CNI bridge never masquerades and uses our bridge, subnet and IPAM dir', () => {
    const conf = JSON.parse(cniConfig(paths)) as { plugins: { type: string; bridge?: string; ipMasq?: boolean; ipam?: { dataDir: string; ranges: { subnet: string }[][] } }[] };
    const bridge = conf.plugins.find((p) => p.type === 'bridge');
    expect(bridge).toMatchObject({ bridge: NODE_NETWORK.bridge, ipMasq: false });
    expect(bridge?.ipam?.ranges[0]?.[0]?.subnet).toBe(NODE_NETWORK.podCidr);
    expect(bridge?.ipam?.dataDir).toBe(paths.cniIpamDir);
  });

  it('kubelet and kube-proxy configs carry the host quirks and leave host defaults alone', () => {
    const kubelet = parse(kubeletConfig(paths, { port: 1, healthzPort: 2 }, '/ca.crt')) as Record<string, unknown>;
    expect(kubelet).toMatchObject({ failCgroupV1: false, cgroupDriver: 'cgroupfs', failSwapOn: false, cgroupRoot: paths.cgroupRoot, address: NODE_NETWORK.nodeIp, clusterDNS: [NODE_NETWORK.dnsServiceIp], resolvConf: '' });
    expect(kubelet.registerWithTaints).toEqual([{ key: 'antler.dev/real-node', value: 'true', effect: 'NoSchedule' }]);
    const proxy = parse(kubeProxyConfig('/k', 'n', { healthzPort: 3, metricsPort: 4 })) as { mode: string; conntrack: Record<string, unknown> };
    expect(proxy.mode).toBe('nftables');
    expect(proxy.conntrack).toMatchObject({ maxPerCore: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' });
  });

  it('isolation drops forwarding between the Pod bridge and every other interface; the NFQUEUE rule matches the patch mark', () => {
    const rules = isolationRuleset('t');
    expect(rules).toContain(`iifname "${NODE_NETWORK.bridge}" oifname != "${NODE_NETWORK.bridge}" drop`);
    expect(rules).toContain(`oifname "${NODE_NETWORK.bridge}" iifname != "${NODE_NETWORK.bridge}" drop`);
    expect(nfqueueRule('-A').join(' ')).toBe(`-t mangle -A POSTROUTING -m mark --mark 0x100000/0x100000 -j NFQUEUE --queue-num ${NODE_NETWORK.nfqueue}`);
  });
});

describe('host state comparison', () => {
  const state = (over: Partial<HostState>): HostState => ({ sysctls: { 'kernel/panic': '1' }, nftTables: {}, mounts: ['/'], interfaces: ['lo'], paths: [], ...over });

  it('splits an nft ruleset into tables', () => {
    const tables = splitNftRuleset('table inet a {\n\tchain c {\n\t}\n}\ntable ip b {\n}\n');
    expect(Object.keys(tables)).toEqual(['inet a', 'ip b']);
    expect(tables['inet a']).toContain('chain c');
  });

  it('names every difference and finds none between equal states', () => {
    expect(compareHostState(state({}), state({}))).toEqual([]);
    const differences = compareHostState(
      state({}),
      state({ sysctls: { 'kernel/panic': '10' }, nftTables: { 'ip kube-proxy': 'x' }, mounts: ['/', '/run/x'], interfaces: ['lo', 'antler0'], paths: ['/run/containerd'] }),
    );
    expect(differences).toEqual([
      'sysctl kernel.panic is "10", was "1"',
      'nftables table ip kube-proxy was added',
      'mount /run/x was added',
      'network interface antler0 was added',
      'host path /run/containerd was added',
    ]);
  });
});

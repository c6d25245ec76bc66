// The pinned toolchain. One place to bump a version: every build recipe, download URL and cache
// path below is derived from these constants.
//
// Kubernetes 1.36 because kwok v0.8.0 (the newest kwok) is built against and tested with 1.36
// (its supported_releases.txt tops out at 1.36.x); a newer control plane would run ahead of the
// fake-node controller that simulates our nodes.

export const KUBERNETES_VERSION = '1.36.3';
/** The k8s.io/* staging modules are published as v0.<minor>.<patch> for each v1.<minor>.<patch>. */
export const KUBERNETES_STAGING_VERSION = '0.36.3';
export const ETCD_VERSION = '3.6.16';
export const KWOK_VERSION = '0.8.0';
export const KIND_VERSION = '0.33.0';
export const HELM4_VERSION = '4.3.1';
export const HELM3_VERSION = '3.22.0';
export const HELM_UNITTEST_VERSION = '1.1.2';
export const DISTRIBUTION_VERSION = '3.1.2';
// The real node (see harness/node/README.md): container runtime, CNI, DNS, NetworkPolicy.
export const CONTAINERD_VERSION = '2.4.2';
export const CNI_PLUGINS_VERSION = '1.10.0';
export const COREDNS_VERSION = '1.15.0';
export const KUBE_NETWORK_POLICIES_VERSION = '0.8.0';

export type ToolName =
  | 'helm'
  | 'helm3'
  | 'helm-unittest'
  | 'kind'
  | 'kwok'
  | 'kwokctl'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'etcd'
  | 'registry'
  | 'kubelet'
  | 'kube-proxy'
  | 'containerd'
  | 'ctr'
  | 'containerd-shim-runc-v2'
  | 'cni-bridge'
  | 'cni-host-local'
  | 'cni-loopback'
  | 'cni-portmap'
  | 'coredns'
  | 'kube-network-policies';

export interface Platform {
  os: 'linux' | 'darwin';
  arch: 'amd64' | 'arm64';
}

/** `go install module/pkg@version`: for modules whose go.mod has no replace directives. */
export interface GoInstallRecipe {
  kind: 'go-install';
  pkg: string;
  version: string;
  ldflags: string[];
  /** Go build tags (`-tags`). */
  tags?: string[];
  /** Build with CGO_ENABLED=0 (a static binary, e.g. for use inside containers). */
  static?: boolean;
}

/**
 * `go build` of a module's package after applying a patch file of ours to a copy of the module
 * (for an upstream fix this machine's kernel needs; the patch lives in harness/patches/).
 */
export interface GoPatchedRecipe {
  kind: 'go-patched';
  module: string;
  version: string;
  /** Package path relative to the module root, e.g. `./cmd`. */
  pkg: string;
  /** File name under harness/patches/. */
  patch: string;
  ldflags: string[];
  static?: boolean;
}

/**
 * `go build` inside a generated wrapper module. Needed when the upstream go.mod has replace
 * directives (which `go install pkg@version` refuses): relative replaces (k8s staging modules,
 * etcd's sibling modules) are pinned to their published versions, versioned ones are copied.
 */
export interface GoWrapperRecipe {
  kind: 'go-wrapper';
  module: string;
  version: string;
  pkg: string;
  /** Published version that stands in for each `=> ./relative/path` replace. */
  relativeReplaceVersion: string;
  ldflags: string[];
  static?: boolean;
  /** Wrapper modules are shared by tools built from the same upstream module. */
  group: string;
}

export interface DownloadRecipe {
  url: (p: Platform) => string;
  /** Official checksum file next to the artifact; `sha256sum` format or a bare digest. */
  checksumUrl: (p: Platform) => string;
  /** Path of the binary inside a .tar.gz; absent for a bare binary. */
  archiveMember?: (p: Platform) => string;
}

export interface ToolSpec {
  name: ToolName;
  version: string;
  /** File name of the binary (or, for a helm plugin, of the plugin's executable). */
  binary: string;
  build: GoInstallRecipe | GoWrapperRecipe | GoPatchedRecipe;
  download?: DownloadRecipe;
  /** A helm plugin: the resolved path is a plugin directory holding plugin.yaml. */
  helmPlugin?: { name: string; usage: string };
}

const kubeLdflags = [
  '-s',
  '-w',
  `-X k8s.io/component-base/version.gitVersion=v${KUBERNETES_VERSION}`,
  `-X k8s.io/component-base/version.gitMajor=${KUBERNETES_VERSION.split('.')[0]}`,
  `-X k8s.io/component-base/version.gitMinor=${KUBERNETES_VERSION.split('.')[1]}`,
  '-X k8s.io/component-base/version.gitTreeState=clean',
  `-X k8s.io/client-go/pkg/version.gitVersion=v${KUBERNETES_VERSION}`,
];

function kubernetesComponent(name: ToolName): ToolSpec {
  return {
    name,
    version: KUBERNETES_VERSION,
    binary: name,
    build: {
      kind: 'go-wrapper',
      module: 'k8s.io/kubernetes',
      version: `v${KUBERNETES_VERSION}`,
      pkg: `k8s.io/kubernetes/cmd/${name}`,
      relativeReplaceVersion: `v${KUBERNETES_STAGING_VERSION}`,
      ldflags: kubeLdflags,
      group: `kubernetes-${KUBERNETES_VERSION}`,
    },
    download: {
      url: (p) => `https://dl.k8s.io/release/v${KUBERNETES_VERSION}/bin/${p.os}/${p.arch}/${name}`,
      checksumUrl: (p) => `https://dl.k8s.io/release/v${KUBERNETES_VERSION}/bin/${p.os}/${p.arch}/${name}.sha256`,
    },
  };
}

/**
 * The Kubernetes version helm 3 reports by default (`.Capabilities.KubeVersion`, lint deprecations):
 * helm's Makefile derives it from the k8s.io/client-go it is built with (v0.37.0 in v3.22.0's
 * go.mod → 1.37) and passes it with -X; a `go install` without those flags would default to
 * v1.20. Helm 4 reads it from the binary's build info at run time, so it needs no flags.
 */
export const HELM3_KUBE_VERSION = { major: '1', minor: '37' } as const;

function helm(name: 'helm' | 'helm3', major: 3 | 4, version: string): ToolSpec {
  const kube = major === 3
    ? ['chartutil', 'lint/rules'].flatMap((pkg) => [
      `-X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMajor=${HELM3_KUBE_VERSION.major}`,
      `-X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMinor=${HELM3_KUBE_VERSION.minor}`,
    ])
    : [];
  return {
    name,
    version,
    binary: 'helm',
    build: {
      kind: 'go-install',
      pkg: `helm.sh/helm/v${major}/cmd/helm`,
      version: `v${version}`,
      ldflags: ['-s', '-w', `-X helm.sh/helm/v${major}/internal/version.version=v${version}`, ...kube],
    },
    download: {
      url: (p) => `https://get.helm.sh/helm-v${version}-${p.os}-${p.arch}.tar.gz`,
      checksumUrl: (p) => `https://get.helm.sh/helm-v${version}-${p.os}-${p.arch}.tar.gz.sha256sum`,
      archiveMember: (p) => `${p.os}-${p.arch}/helm`,
    },
  };
}

function containerdCommand(name: 'containerd' | 'ctr' | 'containerd-shim-runc-v2'): ToolSpec {
  return {
    name,
    version: CONTAINERD_VERSION,
    binary: name,
    build: {
      kind: 'go-install',
      pkg: `github.com/containerd/containerd/v2/cmd/${name}`,
      version: `v${CONTAINERD_VERSION}`,
      // btrfs needs C headers this machine lacks; the node uses the overlayfs snapshotter.
      tags: ['no_btrfs'],
      ldflags: ['-s', '-w', `-X github.com/containerd/containerd/v2/version.Version=v${CONTAINERD_VERSION}`],
      // The shim is exec'd inside new mount namespaces: static, as upstream ships it.
      static: name === 'containerd-shim-runc-v2',
    },
  };
}

function cniPlugin(name: ToolName, plugin: string): ToolSpec {
  return {
    name,
    version: CNI_PLUGINS_VERSION,
    binary: plugin.split('/').at(-1) as string,
    build: {
      kind: 'go-install',
      pkg: `github.com/containernetworking/plugins/plugins/${plugin}`,
      version: `v${CNI_PLUGINS_VERSION}`,
      ldflags: ['-s', '-w'],
      static: true,
    },
  };
}

export const TOOLS: Record<ToolName, ToolSpec> = {
  helm: helm('helm', 4, HELM4_VERSION),
  helm3: helm('helm3', 3, HELM3_VERSION),
  'helm-unittest': {
    name: 'helm-unittest',
    version: HELM_UNITTEST_VERSION,
    binary: 'untt',
    build: {
      kind: 'go-wrapper',
      module: 'github.com/helm-unittest/helm-unittest',
      version: `v${HELM_UNITTEST_VERSION}`,
      pkg: 'github.com/helm-unittest/helm-unittest/cmd/helm-unittest',
      relativeReplaceVersion: `v${HELM_UNITTEST_VERSION}`,
      ldflags: ['-s', '-w'],
      group: `helm-unittest-${HELM_UNITTEST_VERSION}`,
    },
    download: {
      url: (p) =>
        `https://github.com/helm-unittest/helm-unittest/releases/download/v${HELM_UNITTEST_VERSION}/helm-unittest-${p.os}-${p.arch}-${HELM_UNITTEST_VERSION}.tgz`,
      checksumUrl: (p) =>
        `https://github.com/helm-unittest/helm-unittest/releases/download/v${HELM_UNITTEST_VERSION}/helm-unittest-${p.os}-${p.arch}-${HELM_UNITTEST_VERSION}.tgz.sha256`,
      archiveMember: () => 'untt',
    },
    helmPlugin: { name: 'unittest', usage: 'unittest for helm charts' },
  },
  kind: {
    name: 'kind',
    version: KIND_VERSION,
    binary: 'kind',
    build: { kind: 'go-install', pkg: 'sigs.k8s.io/kind', version: `v${KIND_VERSION}`, ldflags: ['-s', '-w'] },
    download: {
      url: (p) => `https://kind.sigs.k8s.io/dl/v${KIND_VERSION}/kind-${p.os}-${p.arch}`,
      checksumUrl: (p) => `https://kind.sigs.k8s.io/dl/v${KIND_VERSION}/kind-${p.os}-${p.arch}.sha256sum`,
    },
  },
  kwok: {
    name: 'kwok',
    version: KWOK_VERSION,
    binary: 'kwok',
    build: {
      kind: 'go-install',
      pkg: 'sigs.k8s.io/kwok/cmd/kwok',
      version: `v${KWOK_VERSION}`,
      ldflags: ['-s', '-w', `-X sigs.k8s.io/kwok/pkg/consts.Version=v${KWOK_VERSION}`],
    },
  },
  kwokctl: {
    name: 'kwokctl',
    version: KWOK_VERSION,
    binary: 'kwokctl',
    build: {
      kind: 'go-install',
      pkg: 'sigs.k8s.io/kwok/cmd/kwokctl',
      version: `v${KWOK_VERSION}`,
      ldflags: ['-s', '-w', `-X sigs.k8s.io/kwok/pkg/consts.Version=v${KWOK_VERSION}`],
    },
  },
  'kube-apiserver': kubernetesComponent('kube-apiserver'),
  'kube-controller-manager': kubernetesComponent('kube-controller-manager'),
  'kube-scheduler': kubernetesComponent('kube-scheduler'),
  kubectl: kubernetesComponent('kubectl'),
  kubelet: kubernetesComponent('kubelet'),
  'kube-proxy': kubernetesComponent('kube-proxy'),
  containerd: containerdCommand('containerd'),
  ctr: containerdCommand('ctr'),
  // The shim is exec'd inside new mount namespaces: static, as upstream ships it.
  'containerd-shim-runc-v2': containerdCommand('containerd-shim-runc-v2'),
  'cni-bridge': cniPlugin('cni-bridge', 'main/bridge'),
  'cni-host-local': cniPlugin('cni-host-local', 'ipam/host-local'),
  'cni-loopback': cniPlugin('cni-loopback', 'main/loopback'),
  'cni-portmap': cniPlugin('cni-portmap', 'meta/portmap'),
  coredns: {
    name: 'coredns',
    version: COREDNS_VERSION,
    binary: 'coredns',
    // Runs inside a Pod (image built by harness/images): static.
    build: { kind: 'go-install', pkg: 'github.com/coredns/coredns', version: `v${COREDNS_VERSION}`, ldflags: ['-s', '-w'], static: true },
  },
  'kube-network-policies': {
    name: 'kube-network-policies',
    version: KUBE_NETWORK_POLICIES_VERSION,
    binary: 'kube-network-policies',
    build: {
      kind: 'go-patched',
      module: 'sigs.k8s.io/kube-network-policies',
      version: `v${KUBE_NETWORK_POLICIES_VERSION}`,
      pkg: './cmd',
      patch: 'kube-network-policies-nfqueue-mark.patch',
      ldflags: ['-s', '-w'],
      static: true,
    },
  },
  etcd: {
    name: 'etcd',
    version: ETCD_VERSION,
    binary: 'etcd',
    build: {
      kind: 'go-wrapper',
      module: 'go.etcd.io/etcd/server/v3',
      version: `v${ETCD_VERSION}`,
      pkg: 'go.etcd.io/etcd/server/v3',
      relativeReplaceVersion: `v${ETCD_VERSION}`,
      ldflags: ['-s', '-w'],
      group: `etcd-${ETCD_VERSION}`,
    },
    download: {
      url: (p) =>
        `https://github.com/etcd-io/etcd/releases/download/v${ETCD_VERSION}/etcd-v${ETCD_VERSION}-${p.os}-${p.arch}.tar.gz`,
      checksumUrl: () => `https://github.com/etcd-io/etcd/releases/download/v${ETCD_VERSION}/SHA256SUMS`,
      archiveMember: (p) => `etcd-v${ETCD_VERSION}-${p.os}-${p.arch}/etcd`,
    },
  },
  registry: {
    name: 'registry',
    version: DISTRIBUTION_VERSION,
    binary: 'registry',
    build: {
      kind: 'go-install',
      pkg: 'github.com/distribution/distribution/v3/cmd/registry',
      version: `v${DISTRIBUTION_VERSION}`,
      ldflags: ['-s', '-w'],
    },
  },
};

/** The local control plane and the chart's CLI: what every cluster-backed entry point needs. */
const LOCAL_CLUSTER_TOOLS: ToolName[] = ['helm', 'kwok', 'kwokctl', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd'];

/** The local backend's real node: kubelet, kube-proxy, the container runtime, CNI, DNS, policies. */
export const REAL_NODE_TOOLS: ToolName[] = [
  'kubelet', 'kube-proxy', 'containerd', 'ctr', 'containerd-shim-runc-v2',
  'cni-bridge', 'cni-host-local', 'cni-loopback', 'cni-portmap', 'coredns', 'kube-network-policies',
];

/** Which tools each entry point needs; nothing here needs kind unless CLUSTER=kind. */
export const TOOL_SETS: Record<'test' | 'e2e' | 'kind' | 'node' | 'all', ToolName[]> = {
  // make test also lints with Helm 3, runs helm-unittest, and runs the e2e job (OCI registry).
  test: [...LOCAL_CLUSTER_TOOLS, 'helm3', 'helm-unittest', 'registry', ...REAL_NODE_TOOLS],
  e2e: [...LOCAL_CLUSTER_TOOLS, 'registry', ...REAL_NODE_TOOLS],
  node: REAL_NODE_TOOLS,
  kind: ['helm', 'kind', 'kubectl'],
  all: Object.keys(TOOLS) as ToolName[],
};

/** CRDs for the chart's optional kinds, taken from the same pinned Go modules (envtest style). */
export interface CrdSource {
  module: string;
  version: string;
  files: string[];
}

export const CRD_SOURCES: CrdSource[] = [
  {
    module: 'github.com/kedacore/keda/v2',
    version: 'v2.21.0',
    files: ['config/crd/bases/keda.sh_scaledobjects.yaml', 'config/crd/bases/keda.sh_triggerauthentications.yaml'],
  },
  {
    module: 'istio.io/api',
    version: 'v1.31.1',
    files: ['kubernetes/customresourcedefinitions.gen.yaml'],
  },
  {
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: 'v0.85.0',
    files: [
      'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml',
      'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml',
      'example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml',
    ],
  },
];

// Cluster add-ons the real node needs: CoreDNS (a Deployment on the real node behind the kube-dns
// Service at NODE_NETWORK.dnsServiceIp). Typed objects, applied with kubectl.
import type { V1ClusterRole, V1ClusterRoleBinding, V1ConfigMap, V1DaemonSet, V1Deployment, V1Service, V1ServiceAccount } from '@kubernetes/client-node';
import { NODE_NETWORK, REAL_NODE_LABEL, REAL_NODE_TAINT } from './layout.js';

type Manifest = V1ServiceAccount | V1ClusterRole | V1ClusterRoleBinding | V1ConfigMap | V1Deployment | V1DaemonSet | V1Service;

const onRealNode = {
  nodeSelector: { [REAL_NODE_LABEL.key]: REAL_NODE_LABEL.value },
  tolerations: [{ key: REAL_NODE_TAINT.key, operator: 'Exists', effect: REAL_NODE_TAINT.effect }],
};

/**
 * CoreDNS listens on 53 in its Pod like every cluster's DNS: NetworkPolicies (the chart's DNS
 * egress rule among them) match the Pod's port, not the Service's. It stays non-root: the Pod's
 * own network namespace lowers the privileged-port floor (a safe, namespaced sysctl).
 */
export const COREDNS_PORT = 53;

export function corednsManifests(image: string): Manifest[] {
  const ns = 'kube-system';
  const labels = { 'k8s-app': 'kube-dns' };
  // Cluster names only: no `forward`, so nothing is ever resolved outside the machine.
  const corefile = [
    `.:${COREDNS_PORT} {`,
    '    errors',
    '    health :8080',
    '    ready :8181',
    `    kubernetes ${NODE_NETWORK.clusterDomain} in-addr.arpa ip6.arpa {`,
    '        pods insecure',
    '        fallthrough in-addr.arpa ip6.arpa',
    '        ttl 5',
    '    }',
    '    cache 5',
    '    loop',
    '}',
    '',
  ].join('\n');
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:coredns' },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: ns }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: ns }, data: { Corefile: corefile } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            ...onRealNode,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
              sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: String(COREDNS_PORT) }],
            },
            containers: [
              {
                name: 'coredns',
                image,
                imagePullPolicy: 'Never',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: COREDNS_PORT, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: COREDNS_PORT, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 },
                resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { memory: '128Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: ns, labels },
      spec: {
        clusterIP: NODE_NETWORK.dnsServiceIp,
        selector: labels,
        ports: [
          { name: 'dns', port: 53, targetPort: COREDNS_PORT, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: COREDNS_PORT, protocol: 'TCP' },
        ],
      },
    },
  ];
}

/**
 * SIG Network's kube-network-policies as upstream deploys it: a DaemonSet in the host network with
 * NET_ADMIN (nftables and the NFQUEUE socket), authenticated by its ServiceAccount. Our build is
 * patched for this kernel (harness/patches): it marks packets and the host's iptables rule queues
 * them, so it runs with the DNS-race workaround off (kernel 6.12+).
 */
export function networkPolicyManifests(image: string, metricsPort: number): Manifest[] {
  const ns = 'kube-system';
  const labels = { app: 'kube-network-policies' };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kube-network-policies', namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'kube-network-policies' },
      rules: [
        { apiGroups: [''], resources: ['pods', 'namespaces', 'nodes'], verbs: ['list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kube-network-policies' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kube-network-policies' },
      subjects: [{ kind: 'ServiceAccount', name: 'kube-network-policies', namespace: ns }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-network-policies', namespace: ns, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            ...onRealNode,
            hostNetwork: true,
            dnsPolicy: 'ClusterFirstWithHostNet',
            priorityClassName: 'system-node-critical',
            serviceAccountName: 'kube-network-policies',
            containers: [
              {
                name: 'kube-network-policies',
                image,
                imagePullPolicy: 'Never',
                args: [
                  '--hostname-override=$(NODE_NAME)',
                  '--netfilter-bug-1766-fix=false',
                  '--disable-nri',
                  `--nfqueue-id=${NODE_NETWORK.nfqueue}`,
                  `--metrics-bind-address=127.0.0.1:${metricsPort}`,
                  '--v=1',
                ],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { memory: '256Mi' } },
                securityContext: { privileged: false, capabilities: { add: ['NET_ADMIN'] } },
              },
            ],
          },
        },
      },
    },
  ];
}

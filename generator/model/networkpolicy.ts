/** NetworkPolicies: default deny for every chart Pod and for sandbox Pods, then only the flows each one needs. */
import { arr, bool, group } from './builders.js';
import { cidrSchema as cidr, ipBlockSchema } from './formats.js';
import type { JsonSchema, ValueNode } from './types.js';

const peer: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { podSelector: { type: 'object' }, namespaceSelector: { type: 'object' }, ipBlock: ipBlockSchema },
};
const egressRule: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { to: { type: 'array', items: peer }, ports: { type: 'array', items: { type: 'object' } } },
};
const port: JsonSchema = { type: 'integer', minimum: 1, maximum: 65535 };

export const networkPolicy: Record<string, ValueNode> = {
  networkPolicy: group('NetworkPolicies (need a CNI that enforces them). Every chart Pod and every sandbox Pod gets a default-deny policy that allows only its own flows: nginx ← ingress; nginx → gateway/frontend; frontend → gateway; gateway → Postgres/Redis/agent/sandboxes/DNS/external HTTPS; agent → API server, DNS and the bundled Redis (DeerFlow\'s sandbox ownership leases); Postgres ← gateway only; Redis ← gateway and agent; sandboxes ← gateway and agent, → DNS and the public internet only.', {
    enabled: bool(false, 'Create the NetworkPolicies.'),
    ingressFrom: arr([], 'Peers allowed to reach nginx (ingress controller, Istio ingress gateway, load balancer ranges). Empty allows any source, on the nginx port only.', peer),
    metricsFrom: arr([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], 'Peers allowed to scrape the sandbox agent\'s /metrics (Prometheus).', peer),
    dns: arr([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      'DNS servers (port 53 UDP/TCP). With NodeLocal DNSCache add `{ipBlock: {cidr: 169.254.20.10/32}}`.', peer, { minItems: 1 }),
    internetCidrs: arr(['0.0.0.0/0'], '"Public internet" for sandbox and gateway external egress, before the exclusions below.', cidr, { minItems: 1 }),
    clusterCidrs: arr(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'],
      'Pod and Service CIDRs (and other private ranges) excluded from external egress: sandboxes can never reach cluster Pods or Services by IP. Set them to your cluster\'s ranges.', cidr),
    metadataCidrs: arr(['169.254.169.254/32'], 'Cloud metadata endpoints excluded from external egress.', cidr),
    apiServer: group('kube-apiserver endpoints the sandbox agent may reach. Policies usually see the endpoint address after Service DNAT: use the control-plane IPs (`kubectl get endpointslice kubernetes -n default`).', {
      cidrs: arr([], 'API server CIDRs (required with sandboxes and NetworkPolicies on).', cidr),
      ports: arr([443, 6443], 'API server ports.', port, { minItems: 1 }),
    }),
    gateway: group('Gateway egress beyond the cluster.', {
      externalPorts: arr([443], 'Ports the gateway may use towards `internetCidrs` (LLM providers, MCP servers, web tools). Empty allows every port.', port),
      extraEgress: arr([], 'Extra egress rules for the gateway (e.g. an external Postgres in a private range).', egressRule),
    }),
    extraEgress: arr([], 'Extra egress rules for every DeerFlow Pod (e.g. istiod on 15012 when sidecars are injected, or an external Redis in a private range, which the gateway and the sandbox agent both reach).', egressRule),
  }, 'Network policies'),
};

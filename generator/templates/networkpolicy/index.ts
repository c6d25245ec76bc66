/**
 * NetworkPolicies, one per component of the registry plus one for sandbox Pods. Each selects one
 * component's Pods with both policy types, so anything not listed is denied. Flows between
 * components come from the registry (`Component.clients`): the target accepts its clients on its
 * port, each client may reach it, both under the target's `when`. What is not a component flow
 * (the edge, DNS, the API server, the internet, sandbox Pods, helm tests, Prometheus) is listed
 * per component below.
 */
import { ALL_COMPONENTS, COMPONENTS, type Component, type ComponentName, targetsOf } from '../../components.js';
import { metadata } from '../lib/meta.js';
import { sandboxLabelsYaml } from '../lib/sandbox-labels.js';
import { ctx, header, indent, lines, rv, when } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/networkpolicy/index.ts';
const ON = '.Values.networkPolicy.enabled';
const SANDBOX_NS = '{{ include "deerflow.sandbox.namespace" . }}';

function peer(component: string, namespace?: string): string {
  return namespace === undefined
    ? `{{- include "deerflow.netpol.peer" ${ctx(component)} | nindent 0 }}`
    : `{{- include "deerflow.netpol.peer" (dict "ctx" $ "component" "${component}" "namespace" ${namespace}) | nindent 0 }}`;
}

function tcp(...ports: (string | number)[]): string {
  return lines('ports:', ...ports.map((p) => `  - protocol: TCP\n    port: ${p}`));
}

interface Policy {
  readonly path: string;
  readonly component: string;
  readonly when?: string;
  readonly namespace?: string;
  /** Pod selector body (YAML, unindented); defaults to the component's selector labels. */
  readonly selector?: string;
  /** Ingress rules (YAML list items, unindented); empty denies all ingress. */
  readonly ingress?: string;
  /** Egress rules (YAML list items, unindented); empty denies all egress. */
  readonly egress?: string;
  readonly comment: string;
}

function policy(p: Policy): TemplateModule {
  const when = p.when === undefined ? ON : `and ${ON} ${p.when}`;
  return {
    path: p.path,
    source: SRC,
    render: () => lines(
      header(SRC),
      `{{- if ${when} }}`,
      `# ${p.comment}`,
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      metadata({ component: p.component, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}) }),
      'spec:',
      '  podSelector:',
      '    matchLabels:',
      p.selector !== undefined ? indent(p.selector, 6) : `      {{- include "deerflow.selectorLabels" ${ctx(p.component)} | nindent 6 }}`,
      '  policyTypes: ["Ingress", "Egress"]',
      p.ingress !== undefined ? lines('  ingress:', indent(p.ingress, 4)) : '  ingress: []',
      p.egress !== undefined ? lines('  egress:', indent(p.egress, 4)) : '  egress: []',
      '{{- end }}',
      '',
    ),
  };
}

const dns = '{{- include "deerflow.netpol.dns" . | nindent 0 }}';
const extra = '{{- with .Values.networkPolicy.extraEgress }}\n{{- toYaml . | nindent 0 }}\n{{- end }}';
const tests = '{{- include "deerflow.netpol.testPods" . | nindent 0 }}';
const sandboxPods = sandboxLabelsYaml;

/** Flows of one component that are neither component flows nor the defaults (the edge, sandboxes, the API server, helm tests). */
interface Extra {
  /** The whole ingress rule list, replacing the generated one. */
  readonly ingress?: string;
  /** Peers (YAML list items) added to the generated ingress rule. */
  readonly ingressPeers?: string;
  /** Egress rules (YAML list items) after the component flows. */
  readonly egress?: string;
}

const EXTRA: Readonly<Partial<Record<ComponentName, Extra>>> = {
  nginx: {
    ingress: lines(
      '- ports:',
      '    - protocol: TCP',
      '      port: http',
      '  {{- with .Values.networkPolicy.ingressFrom }}',
      '  from:',
      '    {{- toYaml . | nindent 4 }}',
      '    {{- include "deerflow.netpol.testPods" $ | nindent 4 }}',
      '  {{- end }}',
    ),
  },
  gateway: {
    ingressPeers: tests,
    egress: lines(
      '{{- if .Values.sandbox.enabled }}',
      '- to:',
      '    - namespaceSelector:',
      '        matchLabels:',
      `          kubernetes.io/metadata.name: ${SANDBOX_NS}`,
      '      podSelector:',
      '        matchLabels:',
      indent(sandboxPods, 10),
      indent(tcp('{{ .Values.sandbox.containerPort }}'), 2),
      '{{- end }}',
      '{{- with .Values.networkPolicy.gateway.extraEgress }}\n{{- toYaml . | nindent 0 }}\n{{- end }}',
    ),
  },
  'llm-gateway': {
    // The providers only, by address: never the public internet at large.
    egress: lines(
      '{{- range .Values.llmGateway.providers }}',
      '- to:',
      '    {{- range .cidrs }}',
      '    - ipBlock:',
      '        cidr: {{ . }}',
      '    {{- end }}',
      '  ports:',
      '    - protocol: TCP',
      '      port: {{ .port | default 443 }}',
      '{{- end }}',
    ),
  },
  'sandbox-agent': {
    ingressPeers: tests,
    egress: lines(
      '- to:',
      '    {{- range .Values.networkPolicy.apiServer.cidrs }}',
      '    - ipBlock:',
      '        cidr: {{ . }}',
      '    {{- end }}',
      '  ports:',
      '    {{- range .Values.networkPolicy.apiServer.ports }}',
      '    - protocol: TCP',
      '      port: {{ . }}',
      '    {{- end }}',
    ),
  },
};

const metricsPeers = lines('{{- with .Values.networkPolicy.metricsFrom }}', '{{- toYaml . | nindent 0 }}', '{{- end }}');

/** `<dir>/networkpolicy.yaml`, or `<dir>/networkpolicy-<rest>.yaml` for a component named `<dir>-<rest>`. */
function policyPath(c: Component): string {
  return c.name === c.dir ? `${c.dir}/networkpolicy.yaml` : `${c.dir}/networkpolicy-${c.name.replace(`${c.dir}-`, '')}.yaml`;
}


function componentPolicy(c: Component): TemplateModule {
  const x = EXTRA[c.name] ?? {};
  const clients = c.clients.map((n) => COMPONENTS[n]);
  const extraPeers = lines(x.ingressPeers, c.metrics !== undefined ? metricsPeers : undefined);
  if (x.ingress === undefined && clients.length > 0 && clients.every((k) => k.when !== undefined) && extraPeers.length === 0) {
    // An ingress rule whose peers all render away would allow every source.
    throw new Error(`networkpolicy: ${c.name} needs at least one unconditional client or extra peer`);
  }
  const peers = lines(...clients.map((k) => when(k.when, peer(k.name))), extraPeers);
  const ingress = x.ingress ?? (peers.length > 0 ? lines('- from:', indent(peers, 4), indent(tcp(c.port.name), 2)) : undefined);
  const egress = c.policy.noEgress === true ? '' : lines(
    ...targetsOf(c.name).map((t) => when(t.when, lines('- to:', indent(peer(t.name), 4), indent(tcp(t.port.number), 2)))),
    x.egress,
    dns,
    c.policy.internetPorts !== undefined ? `{{- include "deerflow.netpol.internet" (dict "ctx" $ "ports" ${rv(c.policy.internetPorts)}) | nindent 0 }}` : undefined,
    extra,
  );
  return policy({
    path: policyPath(c),
    component: c.name,
    ...(c.when !== undefined ? { when: c.when } : {}),
    comment: c.policy.comment,
    ...(ingress !== undefined ? { ingress } : {}),
    ...(egress.length > 0 ? { egress } : {}),
  });
}

export const networkPolicyTemplates: TemplateModule[] = [
  ...ALL_COMPONENTS.map(componentPolicy),
  policy({
    path: 'sandbox/networkpolicy-sandboxes.yaml',
    component: 'sandboxes',
    when: '.Values.sandbox.enabled',
    namespace: SANDBOX_NS,
    comment: 'Sandbox Pods run untrusted code: in only from this release\'s gateway and agent; out only to DNS and the public internet (never cluster Pod/Service CIDRs or the metadata endpoint).',
    selector: sandboxPods,
    ingress: lines(
      '- from:',
      indent(peer('gateway', '(include "deerflow.namespace" $)'), 4),
      indent(peer('sandbox-agent', '(include "deerflow.namespace" $)'), 4),
    ),
    egress: lines(dns, '{{- include "deerflow.netpol.internet" (dict "ctx" $ "ports" list) | nindent 0 }}'),
  }),
];

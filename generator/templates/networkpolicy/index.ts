/**
 * NetworkPolicies, one per component. Each selects one component's Pods with both policy types,
 * so anything not listed is denied; sandbox Pods get theirs in the sandbox namespace.
 */
import { metadata } from '../lib/meta.js';
import { ctx, header, indent, lines } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/networkpolicy/index.ts';
const ON = '.Values.networkPolicy.enabled';
const SANDBOX_NS = '{{ include "deerflow.sandbox.namespace" . }}';

function peer(component: string, namespace?: string): string {
  return namespace === undefined
    ? `{{- include "deerflow.netpol.peer" ${ctx(component)} | nindent 0 }}`
    : `{{- include "deerflow.netpol.peer" (dict "ctx" $ "component" "${component}" "namespace" ${namespace}) | nindent 0 }}`;
}

function tcp(...ports: string[]): string {
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
/** The agent reads DeerFlow's sandbox ownership leases from the bundled Redis. */
const AGENT_TO_REDIS = '(and (eq .Values.redis.mode "bundled") (eq (include "deerflow.sandbox.ownershipInRedis" .) "true"))';
const extra = '{{- with .Values.networkPolicy.extraEgress }}\n{{- toYaml . | nindent 0 }}\n{{- end }}';
const tests = '{{- include "deerflow.netpol.testPods" . | nindent 0 }}';

export const networkPolicyTemplates: TemplateModule[] = [
  policy({
    path: 'nginx/networkpolicy.yaml',
    component: 'nginx',
    comment: 'nginx: in from the edge (networkPolicy.ingressFrom, any source when empty) and helm tests; out to the gateway, the frontend and DNS.',
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
    egress: lines(
      '- to:',
      indent(peer('gateway'), 4),
      indent(tcp('8001'), 2),
      '- to:',
      indent(peer('frontend'), 4),
      indent(tcp('3000'), 2),
      dns,
      extra,
    ),
  }),
  policy({
    path: 'frontend/networkpolicy.yaml',
    component: 'frontend',
    comment: 'frontend: in from nginx; out to the gateway (server-side rendering calls it) and DNS.',
    ingress: lines('- from:', indent(peer('nginx'), 4), indent(tcp('http'), 2)),
    egress: lines('- to:', indent(peer('gateway'), 4), indent(tcp('8001'), 2), dns, extra),
  }),
  policy({
    path: 'gateway/networkpolicy.yaml',
    component: 'gateway',
    comment: 'gateway: in from nginx, the frontend and helm tests; out to Postgres, Redis, the sandbox agent, sandboxes, DNS and external HTTPS (LLM providers) outside the cluster and metadata CIDRs.',
    ingress: lines('- from:', indent(peer('nginx'), 4), indent(peer('frontend'), 4), indent(tests, 4), indent(tcp('http'), 2)),
    egress: lines(
      '{{- if eq .Values.postgresql.mode "bundled" }}',
      '- to:',
      indent(peer('postgresql'), 4),
      indent(tcp('5432'), 2),
      '{{- end }}',
      '{{- if eq .Values.redis.mode "bundled" }}',
      '- to:',
      indent(peer('redis'), 4),
      indent(tcp('6379'), 2),
      '{{- end }}',
      '{{- if .Values.sandbox.enabled }}',
      '- to:',
      indent(peer('sandbox-agent'), 4),
      indent(tcp('8002'), 2),
      '- to:',
      '    - namespaceSelector:',
      '        matchLabels:',
      `          kubernetes.io/metadata.name: ${SANDBOX_NS}`,
      '      podSelector:',
      '        matchLabels:',
      '          app.kubernetes.io/name: deerflow-sandbox',
      '          app.kubernetes.io/component: sandbox',
      '          app.kubernetes.io/instance: {{ .Release.Name }}',
      indent(tcp('{{ .Values.sandbox.containerPort }}'), 2),
      '{{- end }}',
      dns,
      '{{- include "deerflow.netpol.internet" (dict "ctx" $ "ports" .Values.networkPolicy.gateway.externalPorts) | nindent 0 }}',
      '{{- with .Values.networkPolicy.gateway.extraEgress }}\n{{- toYaml . | nindent 0 }}\n{{- end }}',
      extra,
    ),
  }),
  policy({
    path: 'sandbox/networkpolicy-agent.yaml',
    component: 'sandbox-agent',
    when: '.Values.sandbox.enabled',
    comment: 'sandbox agent: in from the gateway, Prometheus (networkPolicy.metricsFrom) and helm tests; out to the API server (networkPolicy.apiServer), the bundled Redis (ownership leases) and DNS.',
    ingress: lines(
      '- from:',
      indent(peer('gateway'), 4),
      indent(tests, 4),
      '    {{- with .Values.networkPolicy.metricsFrom }}',
      '    {{- toYaml . | nindent 4 }}',
      '    {{- end }}',
      indent(tcp('http'), 2),
    ),
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
      `{{- if ${AGENT_TO_REDIS} }}`,
      '- to:',
      indent(peer('redis'), 4),
      indent(tcp('6379'), 2),
      '{{- end }}',
      dns,
      extra,
    ),
  }),
  policy({
    path: 'postgresql/networkpolicy.yaml',
    component: 'postgresql',
    when: '(eq .Values.postgresql.mode "bundled")',
    comment: 'PostgreSQL: in from the gateway only; no egress.',
    ingress: lines('- from:', indent(peer('gateway'), 4), indent(tcp('postgresql'), 2)),
  }),
  policy({
    path: 'redis/networkpolicy.yaml',
    component: 'redis',
    when: '(eq .Values.redis.mode "bundled")',
    comment: 'Redis: in from the gateway and, when it reads the ownership leases, the sandbox agent; no egress.',
    ingress: lines(
      '- from:',
      indent(peer('gateway'), 4),
      `    {{- if ${AGENT_TO_REDIS} }}`,
      indent(peer('sandbox-agent'), 4),
      '    {{- end }}',
      indent(tcp('redis'), 2),
    ),
  }),
  policy({
    path: 'sandbox/networkpolicy-sandboxes.yaml',
    component: 'sandboxes',
    when: '.Values.sandbox.enabled',
    namespace: SANDBOX_NS,
    comment: 'Sandbox Pods run untrusted code: in only from this release\'s gateway and agent; out only to DNS and the public internet (never cluster Pod/Service CIDRs or the metadata endpoint).',
    selector: 'app.kubernetes.io/name: deerflow-sandbox\napp.kubernetes.io/component: sandbox\napp.kubernetes.io/instance: {{ .Release.Name }}',
    ingress: lines(
      '- from:',
      indent(peer('gateway', '(include "deerflow.namespace" $)'), 4),
      indent(peer('sandbox-agent', '(include "deerflow.namespace" $)'), 4),
    ),
    egress: lines(dns, '{{- include "deerflow.netpol.internet" (dict "ctx" $ "ports" list) | nindent 0 }}'),
  }),
];

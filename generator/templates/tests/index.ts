/** `helm test` hook Pods. */
import { metadata } from '../lib/meta.js';
import { header, lines } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/tests/index.ts';

function testPod(component: string, when: string, script: string): string {
  return lines(
    header(SRC),
    `{{- if ${when} }}`,
    'apiVersion: v1',
    'kind: Pod',
    metadata({
      component,
      annotations: '"helm.sh/hook": test\n"helm.sh/hook-delete-policy": before-hook-creation,hook-succeeded',
    }),
    'spec:',
    '  restartPolicy: Never',
    '  automountServiceAccountToken: false',
    '  enableServiceLinks: false',
    '  {{- include "deerflow.images.pullSecrets" . | indent 2 }}',
    '  securityContext:',
    '    runAsNonRoot: true',
    '    runAsUser: 65534',
    '    runAsGroup: 65534',
    '    seccompProfile:',
    '      type: RuntimeDefault',
    '  containers:',
    '    - name: test',
    '      image: {{ include "deerflow.images.image" (dict "image" .Values.tests.image "registry" .Values.global.imageRegistry) | quote }}',
    '      imagePullPolicy: {{ .Values.tests.image.pullPolicy }}',
    '      command: ["sh", "-ec"]',
    '      args:',
    '        - |',
    script.split('\n').map((l) => `          ${l}`).join('\n'),
    '      {{- with .Values.tests.resources }}',
    '      resources:',
    '        {{- toYaml . | nindent 8 }}',
    '      {{- end }}',
    '      securityContext:',
    '        allowPrivilegeEscalation: false',
    '        readOnlyRootFilesystem: true',
    '        capabilities:',
    '          drop: ["ALL"]',
    '{{- end }}',
    '',
  );
}

interface TestPod {
  readonly component: string;
  /** Condition (root context as `$`). */
  readonly when: string;
  readonly script: string;
}

/** The `helm test` Pods; the ResourceQuota fit counts them (templates/validate/quota.ts). */
export const TEST_PODS: readonly TestPod[] = [
  {
    // `timeout N wget`, not `wget -T N`: Debian's busybox wget crashes (SIGSEGV) when given -T.
    component: 'test-gateway',
    when: '$.Values.tests.enabled',
    script: String.raw`timeout 10 wget -q -O - {{ include "deerflow.gateway.url" . }}/health | grep -q healthy`,
  },
  {
    component: 'test-nginx',
    when: '$.Values.tests.enabled',
    script: String.raw`base=http://{{ include "deerflow.serviceHost" (dict "ctx" $ "component" "nginx") }}:{{ .Values.nginx.service.port }}
timeout 10 wget -q -O - "$base/nginx-health" | grep -q ok
timeout 10 wget -q -O - "$base/health" | grep -q healthy
# The sandbox API must not be reachable through the edge proxy.
if timeout 10 wget -q -O /dev/null "$base/api/sandboxes"; then echo "/api/sandboxes is exposed" >&2; exit 1; fi`,
  },
  {
    component: 'test-sandbox-agent',
    when: 'and $.Values.tests.enabled $.Values.sandbox.enabled',
    script: String.raw`timeout 10 wget -q -O - {{ include "deerflow.sandboxAgent.url" . }}/health | grep -q ok`,
  },
];

export const testTemplates: TemplateModule[] = TEST_PODS.map((t) => ({
  path: `tests/${t.component}.yaml`,
  source: SRC,
  render: () => testPod(t.component, t.when, t.script),
}));

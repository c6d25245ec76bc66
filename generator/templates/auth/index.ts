/** The auth Secret shared by gateway and frontend (only when values, not an existing Secret, are given). */
import { metadata } from '../lib/meta.js';
import { header, lines } from '../lib/text.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/auth/index.ts';

export const authTemplates: TemplateModule[] = [
  {
    path: 'auth/secret.yaml',
    source: SRC,
    render: () => lines(
      header(SRC),
      '{{- $a := .Values.deerflow.auth }}',
      '{{- if and (not $a.existingSecret) (or $a.betterAuthSecret $a.jwtSecret $a.internalToken) }}',
      'apiVersion: v1',
      'kind: Secret',
      metadata({ component: 'auth' }),
      'type: Opaque',
      'data:',
      '  {{- with $a.betterAuthSecret }}',
      '  BETTER_AUTH_SECRET: {{ . | b64enc | quote }}',
      '  {{- end }}',
      '  {{- with $a.jwtSecret }}',
      '  AUTH_JWT_SECRET: {{ . | b64enc | quote }}',
      '  {{- end }}',
      '  {{- with $a.internalToken }}',
      '  DEER_FLOW_INTERNAL_AUTH_TOKEN: {{ . | b64enc | quote }}',
      '  {{- end }}',
      '{{- end }}',
      '',
    ),
  },
];

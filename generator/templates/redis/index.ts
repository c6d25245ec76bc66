/** Bundled Redis (AOF on a volume, password required) or external URL Secret. */
import { datastoreTemplates } from '../lib/datastore.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/redis/index.ts';
const ping = 'exec:\n  command: ["sh", "-c", "redis-cli -a \\"$REDIS_PASSWORD\\" --no-auth-warning ping | grep -q PONG"]';

export const redisTemplates: TemplateModule[] = datastoreTemplates({
  source: SRC,
  key: 'redis',
  dataPath: '/data',
  container: {
    command: ['redis-server'],
    args: ['--appendonly', 'yes', '--dir', '/data', '--requirepass', '$(REDIS_PASSWORD)'],
    env: String.raw`- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "deerflow.redis.secretName" . }}
      key: {{ ternary .Values.redis.auth.existingSecretPasswordKey "password" (ne .Values.redis.auth.existingSecret "") }}`,
    probes: { startup: ping, readiness: ping, liveness: ping },
    volumeMounts: '- name: data\n  mountPath: /data\n- name: tmp\n  mountPath: /tmp',
  },
  bundledSecret: '  password: {{ .Values.redis.auth.password | b64enc | quote }}',
  externalSecret: '  REDIS_URL: {{ .Values.redis.external.url | b64enc | quote }}',
});

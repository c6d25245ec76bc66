/** Bundled PostgreSQL (StatefulSet with a PGDATA subdirectory, D9) or external URL Secret. */
import { datastoreTemplates } from '../lib/datastore.js';
import type { TemplateModule } from '../lib/types.js';

const SRC = 'generator/templates/postgresql/index.ts';
const ready = 'exec:\n  command: ["sh", "-c", "pg_isready -h 127.0.0.1 -U \\"$POSTGRES_USER\\" -d \\"$POSTGRES_DB\\""]';

export const postgresqlTemplates: TemplateModule[] = datastoreTemplates({
  source: SRC,
  key: 'postgresql',
  dataPath: '/var/lib/postgresql/data',
  volumes: '- name: run\n  emptyDir:\n    sizeLimit: 16Mi',
  container: {
    env: String.raw`- name: POSTGRES_USER
  value: {{ .Values.postgresql.auth.username | quote }}
- name: POSTGRES_DB
  value: {{ .Values.postgresql.auth.database | quote }}
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "deerflow.postgresql.secretName" . }}
      key: {{ ternary .Values.postgresql.auth.existingSecretPasswordKey "password" (ne .Values.postgresql.auth.existingSecret "") }}
# A subdirectory, so initdb never sees lost+found on ext4 volumes (D9).
- name: PGDATA
  value: /var/lib/postgresql/data/pgdata`,
    probes: { startup: ready, readiness: ready, liveness: ready },
    volumeMounts: String.raw`- name: data
  mountPath: /var/lib/postgresql/data
- name: run
  mountPath: /var/run/postgresql
- name: tmp
  mountPath: /tmp`,
  },
  bundledSecret: '  password: {{ .Values.postgresql.auth.password | b64enc | quote }}',
  externalSecret: '  DATABASE_URL: {{ .Values.postgresql.external.url | b64enc | quote }}',
});

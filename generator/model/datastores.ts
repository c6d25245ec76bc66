/** Bundled-or-external Postgres and Redis. */
import { byteQuantity } from './formats.js';
import { COMPONENTS, type Component } from '../components.js';
import { bool, enumOf, group, int, patterns, str } from './builders.js';
import type { ImageDefaults } from './workload.js';
import type { ValueNode } from './types.js';
import { workload } from './workload.js';

function volume(what: string, size: string): ValueNode {
  return group(`Data volume of the bundled ${what} (a volumeClaimTemplate).`, {
    enabled: bool(true, 'Use a PVC; `false` uses an emptyDir (data lost with the Pod).'),
    storageClass: str('', 'StorageClass (empty uses the cluster default).', { pattern: patterns.dnsSubdomain }),
    size: str(size, 'Volume size.', { pattern: byteQuantity }),
  });
}

function store(component: Component, what: string, img: ImageDefaults, uid: number): Record<string, ValueNode> {
  return workload({
    component,
    what,
    image: img,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    probes: {
      startup: { initialDelaySeconds: 2, periodSeconds: 3, timeoutSeconds: 3, failureThreshold: 60 },
      readiness: { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
      liveness: { initialDelaySeconds: 0, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
    },
    security: { uid, gid: uid, readOnlyRootFilesystem: true },
    terminationGracePeriodSeconds: 60,
    preStopSleepSeconds: 0,
  });
}

export const datastores: Record<string, ValueNode> = {
  postgresql: group('PostgreSQL (checkpointer, runs, threads, store). `none` keeps DeerFlow on SQLite in the home volume.', {
    mode: enumOf(['none', 'bundled', 'external'], 'none', '`none` (SQLite), `bundled` (a StatefulSet) or `external`.'),
    auth: group('Credentials of the bundled database. Never generated.', {
      username: str('deerflow', 'Database user.', { pattern: '^[a-z_][a-z0-9_]*$' }),
      database: str('deerflow', 'Database name.', { pattern: '^[a-z_][a-z0-9_]*$' }),
      password: str('', 'Password (URL-safe characters). Required unless `existingSecret` is set.', { secret: true, pattern: '^[A-Za-z0-9._~-]*$' }),
      existingSecret: str('', 'Existing Secret with the password. Its value must use the same URL-safe characters: the chart puts it into connection URLs as it is, and Kubernetes cannot encode a `$(VAR)` reference.', { pattern: patterns.dnsSubdomain }),
      existingSecretPasswordKey: str('password', 'Key of the password in `existingSecret`.', { minLength: 1 }),
    }),
    external: group('External database (`mode: external`).', {
      url: str('', '`postgresql://user:pass@host:5432/db`. Stored in a chart Secret; prefer `existingSecret`.', { secret: true, pattern: '^(postgres(ql)?://.+)?$' }),
      existingSecret: str('', 'Existing Secret holding the URL.', { pattern: patterns.dnsSubdomain }),
      existingSecretKey: str('DATABASE_URL', 'Key of the URL in `existingSecret`.', { minLength: 1 }),
    }),
    persistence: volume('PostgreSQL', '8Gi'),
    ...store(COMPONENTS.postgresql, 'PostgreSQL', { registry: 'docker.io', repository: 'library/postgres', tag: '16.10-alpine' }, 70),
    service: group('Service for PostgreSQL.', { port: int(COMPONENTS.postgresql.port.number, 'Service port.', { minimum: 1, maximum: 65535 }) }),
  }, 'PostgreSQL'),
  redis: group('Redis (stream bridge and sandbox ownership leases). `none` keeps both in memory (single gateway process only).', {
    mode: enumOf(['none', 'bundled', 'external'], 'none', '`none`, `bundled` (a StatefulSet) or `external`.'),
    auth: group('Password of the bundled Redis. Never generated.', {
      password: str('', 'Password (URL-safe characters). Required unless `existingSecret` is set.', { secret: true, pattern: '^[A-Za-z0-9._~-]*$' }),
      existingSecret: str('', 'Existing Secret with the password. Its value must use the same URL-safe characters: the chart puts it into connection URLs as it is, and Kubernetes cannot encode a `$(VAR)` reference.', { pattern: patterns.dnsSubdomain }),
      existingSecretPasswordKey: str('password', 'Key of the password in `existingSecret`.', { minLength: 1 }),
    }),
    external: group('External Redis (`mode: external`).', {
      url: str('', '`redis://:pass@host:6379/0`. Stored in a chart Secret; prefer `existingSecret`.', { secret: true, pattern: '^(rediss?://.+)?$' }),
      existingSecret: str('', 'Existing Secret holding the URL.', { pattern: patterns.dnsSubdomain }),
      existingSecretKey: str('REDIS_URL', 'Key of the URL in `existingSecret`.', { minLength: 1 }),
    }),
    persistence: volume('Redis', '2Gi'),
    ...store(COMPONENTS.redis, 'Redis', { registry: 'docker.io', repository: 'library/redis', tag: '7.4.5-alpine' }, 999),
    service: group('Service for Redis.', { port: int(COMPONENTS.redis.port.number, 'Service port.', { minimum: 1, maximum: 65535 }) }),
  }, 'Redis'),
};

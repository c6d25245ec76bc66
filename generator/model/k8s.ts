/** JSON Schema fragments for Kubernetes shapes that values pass through verbatim. */
import { annotationMap, bytesSchema, cpuSchema, labelMap } from './formats.js';
import type { JsonSchema } from './types.js';

const resourceList: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { cpu: cpuSchema, memory: bytesSchema, 'ephemeral-storage': bytesSchema },
  // Extended resources (`nvidia.com/gpu`, `hugepages-2Mi`): whole counts or byte quantities.
  patternProperties: { '^(?:[a-z0-9.-]+/[A-Za-z0-9._-]+|hugepages-[0-9]+[KMG]i)$': bytesSchema },
};

export const resources: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { requests: resourceList, limits: resourceList },
};

const seccompProfile: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['RuntimeDefault', 'Localhost', 'Unconfined'] },
    localhostProfile: { type: 'string' },
  },
};

const id: JsonSchema = { type: 'integer', minimum: 0, maximum: 2147483647 };

export const podSecurityContext: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    runAsNonRoot: { type: 'boolean' },
    runAsUser: id,
    runAsGroup: id,
    fsGroup: id,
    fsGroupChangePolicy: { type: 'string', enum: ['OnRootMismatch', 'Always'] },
    supplementalGroups: { type: 'array', items: id },
    seccompProfile,
    sysctls: { type: 'array', items: { type: 'object' } },
  },
};

export const containerSecurityContext: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    runAsNonRoot: { type: 'boolean' },
    runAsUser: id,
    runAsGroup: id,
    readOnlyRootFilesystem: { type: 'boolean' },
    allowPrivilegeEscalation: { type: 'boolean' },
    privileged: { type: 'boolean' },
    capabilities: {
      type: 'object',
      additionalProperties: false,
      properties: {
        drop: { type: 'array', items: { type: 'string' } },
        add: { type: 'array', items: { type: 'string' } },
      },
    },
    seccompProfile,
  },
};

export const envVar: JsonSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$' }, value: { type: 'string' }, valueFrom: { type: 'object' } },
  additionalProperties: false,
};

export const envFromSource: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { prefix: { type: 'string' }, secretRef: { type: 'object' }, configMapRef: { type: 'object' } },
};

export const volume: JsonSchema = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
export const volumeMount: JsonSchema = {
  type: 'object',
  required: ['name', 'mountPath'],
  properties: { name: { type: 'string' }, mountPath: { type: 'string', pattern: '^/' } },
};

/** Tolerations and affinities are the shapes the sandbox agent validates too: one definition. */
export { AFFINITY_SCHEMA as affinity, TOLERATION_SCHEMA as toleration } from '../../sandbox-agent/src/env.js';

export const topologySpreadConstraint: JsonSchema = {
  type: 'object',
  required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'],
  properties: {
    maxSkew: { type: 'integer', minimum: 1 },
    topologyKey: { type: 'string', minLength: 1 },
    whenUnsatisfiable: { type: 'string', enum: ['DoNotSchedule', 'ScheduleAnyway'] },
    labelSelector: { type: 'object' },
    minDomains: { type: 'integer', minimum: 1 },
    matchLabelKeys: { type: 'array', items: { type: 'string' } },
    nodeAffinityPolicy: { type: 'string', enum: ['Honor', 'Ignore'] },
    nodeTaintsPolicy: { type: 'string', enum: ['Honor', 'Ignore'] },
  },
  additionalProperties: false,
};

/** Labels, selectors and node selectors: keys and values as the API server validates label keys and values. */
export const labels: JsonSchema = labelMap;
/** Annotations: qualified-name keys, string values. */
export const annotations: JsonSchema = annotationMap;



/** An extra container (sidecar or init container): passed through, with its name, image and resources validated. */
export const extraContainer: JsonSchema = {
  type: 'object',
  required: ['name', 'image'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' },
    image: { type: 'string', minLength: 1 },
    resources,
    command: { type: 'array', items: { type: 'string' } },
    args: { type: 'array', items: { type: 'string' } },
    env: { type: 'array', items: envVar },
  },
};

const handler: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exec: { type: 'object', required: ['command'], properties: { command: { type: 'array', items: { type: 'string' }, minItems: 1 } } },
    httpGet: { type: 'object', required: ['port'] },
    tcpSocket: { type: 'object', required: ['port'] },
    sleep: { type: 'object', required: ['seconds'], properties: { seconds: { type: 'integer', minimum: 1 } } },
  },
  minProperties: 1,
  maxProperties: 1,
};

/** Container `lifecycle`: postStart and preStop handlers (exactly one action each). */
export const lifecycle: JsonSchema = { type: 'object', additionalProperties: false, properties: { postStart: handler, preStop: handler } };

export const hostAlias: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ip', 'hostnames'],
  properties: { ip: { type: 'string', minLength: 1 }, hostnames: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 } },
};

/** Pod `dnsConfig` (the API server allows at most 3 nameservers and 32 search domains). */
export const dnsConfig: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    nameservers: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 3 },
    searches: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 32 },
    options: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, value: { type: 'string' } }, additionalProperties: false } },
  },
};

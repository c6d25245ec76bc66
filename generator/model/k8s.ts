/** JSON Schema fragments for Kubernetes shapes that values pass through verbatim. */
import type { JsonSchema } from './types.js';

const quantity: JsonSchema = { type: ['string', 'number'], pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti|Pi|Ei)?$' };

const resourceList: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { cpu: quantity, memory: quantity, 'ephemeral-storage': quantity },
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

export const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };


export const container: JsonSchema = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };

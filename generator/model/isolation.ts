/**
 * Namespace-level guard rails for the release namespace: a ResourceQuota and a LimitRange.
 * (The sandbox namespace has its own quota and optional Namespace object under `sandbox`.)
 */
import { bool, enumOf, group, int, str } from './builders.js';
import { byteQuantity, cpuQuantity } from './formats.js';
import type { Group, ValueNode } from './types.js';

function pair(what: string, cpu: string, memory: string): Group {
  return group(what, {
    cpu: str(cpu, 'CPU quantity (cores or millicores).', { pattern: cpuQuantity, minLength: 1 }),
    memory: str(memory, 'Memory quantity (bytes, SI or binary suffix).', { pattern: byteQuantity, minLength: 1 }),
  });
}

/** ResourceQuota `hard` numbers; shared with the sandbox namespace's quota. */
export function quotaHard(requestsCpu: string, requestsMemory: string, limitsCpu: string, limitsMemory: string, pods: number): Record<string, ValueNode> {
  return {
    requests: pair('Sum of requests (`requests.cpu`, `requests.memory`).', requestsCpu, requestsMemory),
    limits: pair('Sum of limits (`limits.cpu`, `limits.memory`).', limitsCpu, limitsMemory),
    pods: int(pods, 'Pod count (`pods`).', { minimum: 1, maximum: 100000 }),
    fit: enumOf(['enforce', 'warn'], 'enforce', 'What happens when the Pods this quota must hold (the release at its autoscaling maxima plus a rolling-update surge, helm test Pods, and `sandbox.limits.maxSandboxes` sandbox Pods where they share the namespace) do not fit: `enforce` fails rendering with the numbers, `warn` renders and prints them in NOTES.'),
  };
}

export const isolation: Record<string, ValueNode> = {
  resourceQuota: group('ResourceQuota for the release namespace. With `limits.*` in the quota every container needs limits; the chart sets them and `limitRange` supplies defaults for anything else.', {
    enabled: bool(false, 'Create the ResourceQuota.'),
    ...quotaHard('32', '128Gi', '64', '256Gi', 100),
    extraHard: { kind: 'object', default: {}, description: 'Extra `hard` entries (e.g. `persistentvolumeclaims: "10"`, `requests.storage: 500Gi`, `services.loadbalancers: "0"`).', schema: { type: 'object', additionalProperties: { type: ['string', 'integer'] } } },
  }, 'Quotas and limits'),
  limitRange: group('LimitRange (type Container) for the release namespace. Rendering fails when one of the chart\'s own containers would be rejected by it.', {
    enabled: bool(false, 'Create the LimitRange.'),
    max: pair('Largest container limit.', '8', '32Gi'),
    min: pair('Smallest container request.', '500m', '512Mi'),
    default: pair('Limits applied to containers that set none.', '2', '4Gi'),
    defaultRequest: pair('Requests applied to containers that set none.', '1', '2Gi'),
  }),
};

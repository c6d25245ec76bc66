// Pure TTL decisions: given a sandbox's timestamps and the policy, should it be reaped and why.

import type { V1ObjectMeta } from '@kubernetes/client-node';
import { ANN_CREATED_AT, ANN_LAST_TOUCH, ANN_RELEASED_AT } from './naming.js';

export type ReapReason = 'max_lifetime' | 'released_ttl' | 'idle_ttl';

export interface LifecyclePolicy {
  idleTtlSeconds: number;
  releasedTtlSeconds: number;
  maxLifetimeSeconds: number;
  startGraceSeconds: number;
}

export interface SandboxTimes {
  createdAt: number;
  lastTouch: number;
  releasedAt: number | undefined;
}

function parseTime(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v !== 'string' || v === '') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export function sandboxTimes(meta: V1ObjectMeta | undefined): SandboxTimes {
  const ann = meta?.annotations ?? {};
  const createdAt = parseTime(ann[ANN_CREATED_AT]) ?? parseTime(meta?.creationTimestamp) ?? 0;
  const lastTouch = Math.max(createdAt, parseTime(ann[ANN_LAST_TOUCH]) ?? createdAt);
  return { createdAt, lastTouch, releasedAt: parseTime(ann[ANN_RELEASED_AT]) };
}

/** Why to reap now, or undefined. Nothing in its start grace period is ever reaped. */
export function reapDecision(t: SandboxTimes, nowMs: number, p: LifecyclePolicy): ReapReason | undefined {
  const age = nowMs - t.createdAt;
  if (age < p.startGraceSeconds * 1000) return undefined;
  if (p.maxLifetimeSeconds > 0 && age >= p.maxLifetimeSeconds * 1000) return 'max_lifetime';
  if (p.releasedTtlSeconds > 0 && t.releasedAt !== undefined && t.releasedAt >= t.lastTouch - 1000 && nowMs - t.releasedAt >= p.releasedTtlSeconds * 1000) {
    return 'released_ttl';
  }
  if (p.idleTtlSeconds > 0 && nowMs - t.lastTouch >= p.idleTtlSeconds * 1000) return 'idle_ttl';
  return undefined;
}

// Server-side garbage collection, run only by the Lease holder: TTL reaping from the watch
// cache (no LIST of its own) and a sweep that repairs or removes half-created sandboxes. Idle and
// released TTL reaps first ask DeerFlow's ownership leases (ownership.ts) whether a live gateway
// still holds the sandbox; the max lifetime is a hard cap and asks nothing.

import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type SandboxCache } from './cache.js';
import type { Config } from './config.js';
import { isConflict, isNotFound } from './errors.js';
import type { SandboxApi } from './kube.js';
import { type ReapReason, reapDecision, sandboxTimes } from './lifecycle.js';
import type { Metrics } from './metrics.js';
import type { OwnershipLeases } from './ownership.js';
import { ANN_REQUEST, LABEL_SANDBOX_ID, podName, serviceName } from './naming.js';
import { buildService } from './podspec.js';
import { type SandboxService, ownedBy } from './sandboxes.js';
import { parseRecordedRequest } from './validation.js';

export interface SweepStats {
  examined: number;
  reaped: number;
  repaired: number;
  removed: number;
  durationMs: number;
  apiCalls: number;
  /** TTL reaps left out because a live gateway holds the sandbox's lease. */
  heldSkipped: number;
  /** The lease check failed, so no idle or released TTL reap ran in this pass. */
  ownershipCheckFailed: boolean;
}

export type Action = { kind: 'reap'; id: string; pod: V1Pod; reason: ReapReason } | { kind: 'repair'; id: string; pod: V1Pod } | { kind: 'orphan-service'; id: string; uid: string | undefined };

/** Reap reasons a live gateway's lease overrides (the max lifetime does not). */
const OWNERSHIP_GUARDED: ReadonlySet<ReapReason> = new Set(['idle_ttl', 'released_ttl']);

/** Ids whose planned reap depends on the lease check. */
export function ownershipCandidates(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => (a.kind === 'reap' && OWNERSHIP_GUARDED.has(a.reason) ? [a.id] : []));
}

/** What the lease store said about the candidates: the held ids, or that it could not answer. */
export type OwnershipCheck = { ok: true; held: ReadonlySet<string> } | { ok: false };

export interface OwnershipPlan {
  actions: Action[];
  /** Guarded reaps left out: held by a gateway, or unchecked because the check failed. */
  skipped: { id: string; reason: ReapReason; why: 'held' | 'unchecked' }[];
}

/** Pure: drops guarded reaps of held sandboxes, or every guarded reap when the check failed. */
export function applyOwnership(actions: readonly Action[], check: OwnershipCheck): OwnershipPlan {
  const out: OwnershipPlan = { actions: [], skipped: [] };
  for (const a of actions) {
    if (a.kind === 'reap' && OWNERSHIP_GUARDED.has(a.reason) && (!check.ok || check.held.has(a.id))) {
      out.skipped.push({ id: a.id, reason: a.reason, why: check.ok ? 'held' : 'unchecked' });
    } else {
      out.actions.push(a);
    }
  }
  return out;
}

async function runBounded<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

export class Reaper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepStats> | undefined;
  private active = false;

  constructor(
    private readonly cfg: Config,
    private readonly kube: SandboxApi,
    private readonly cache: SandboxCache,
    private readonly sandboxes: Pick<SandboxService, 'destroy'>,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly leases: OwnershipLeases,
  ) {}

  start(): void {
    if (this.active) return;
    this.active = true;
    const loop = async (): Promise<void> => {
      if (!this.active) return;
      await this.sweep().catch((err: unknown) => this.log.error({ err }, 'reaper pass failed'));
      if (this.active) this.timer = setTimeout(() => void loop(), this.cfg.reaperIntervalSeconds * 1000);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.active = false;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Decides from the cache only; pure apart from reading the clock. */
  plan(nowMs: number): Action[] {
    const actions: Action[] = [];
    const graceMs = this.cfg.startGraceSeconds * 1000;
    const serviceMode = this.cfg.serviceMode !== 'Headless';
    for (const pod of this.cache.allPods()) {
      if (!ownedBy(pod, this.cfg.release) || pod.metadata?.deletionTimestamp) continue;
      const id = pod.metadata?.labels?.[LABEL_SANDBOX_ID];
      if (!id || pod.metadata?.name !== podName(id)) continue;
      const reason = reapDecision(sandboxTimes(pod.metadata), nowMs, this.cfg);
      if (reason) actions.push({ kind: 'reap', id, pod, reason });
      else if (serviceMode && !this.cache.service(serviceName(id)) && nowMs - sandboxTimes(pod.metadata).createdAt >= graceMs) {
        actions.push({ kind: 'repair', id, pod });
      }
    }
    if (serviceMode) {
      for (const svc of this.cache.allServices()) {
        if (!ownedBy(svc, this.cfg.release)) continue;
        const id = svc.metadata?.labels?.[LABEL_SANDBOX_ID];
        if (!id || this.cache.pod(podName(id))) continue;
        if (nowMs - sandboxTimes(svc.metadata).createdAt < graceMs) continue;
        actions.push({ kind: 'orphan-service', id, uid: svc.metadata?.uid });
      }
    }
    return actions;
  }

  /**
   * The cache's plan with DeerFlow's leases applied: one lease read for every idle/released
   * candidate (none when there is none). A failed read is logged and counted, and leaves every
   * such reap out of this pass.
   */
  async planWithOwnership(nowMs: number): Promise<OwnershipPlan> {
    const planned = this.plan(nowMs);
    const ids = ownershipCandidates(planned);
    if (ids.length === 0) return { actions: planned, skipped: [] };
    let check: OwnershipCheck;
    try {
      check = { ok: true, held: await this.leases.held(ids) };
    } catch (err) {
      this.metrics.ownershipCheckFailures.inc();
      this.log.warn({ err, candidates: ids.length }, 'ownership lease check failed: no idle or released TTL reaps in this pass');
      check = { ok: false };
    }
    const result = applyOwnership(planned, check);
    const held = result.skipped.filter((s) => s.why === 'held');
    for (const s of held) this.metrics.ownershipHeldSkips.inc({ reason: s.reason });
    if (held.length > 0) {
      this.log.debug({ count: held.length, sandbox_ids: held.slice(0, 20).map((s) => s.id), decision: 'keep' }, 'not reaping sandboxes a live gateway holds');
    }
    return result;
  }

  sweep(): Promise<SweepStats> {
    if (this.running) return this.running;
    this.running = this.sweepOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweepOnce(): Promise<SweepStats> {
    const started = performance.now();
    const callsBefore = this.kube.tally.total;
    const { actions, skipped } = await this.planWithOwnership(Date.now());
    const stats: SweepStats = {
      examined: this.cache.podCount, reaped: 0, repaired: 0, removed: 0, durationMs: 0, apiCalls: 0,
      heldSkipped: skipped.filter((s) => s.why === 'held').length,
      ownershipCheckFailed: skipped.some((s) => s.why === 'unchecked'),
    };
    await runBounded(actions, this.cfg.reaperConcurrency, async (a) => {
      try {
        if (a.kind === 'reap') {
          this.log.info({ sandbox_id: a.id, reason: a.reason, decision: 'reap' }, 'reaping sandbox');
          await this.sandboxes.destroy(a.id, { reason: 'reaper', podUid: a.pod.metadata?.uid });
          this.metrics.reaps.inc({ reason: a.reason });
          stats.reaped++;
        } else if (a.kind === 'repair') {
          const parsed = parseRecordedRequest(a.pod.metadata?.annotations?.[ANN_REQUEST]);
          if (parsed) {
            this.log.info({ sandbox_id: a.id, decision: 'repair' }, 'recreating missing Service for sandbox Pod');
            const svc = buildService(parsed, { cfg: this.cfg, ownerReference: a.pod.metadata?.ownerReferences?.[0], now: new Date() });
            try {
              this.cache.observeService(await this.kube.createService(svc));
            } catch (err) {
              if (!isConflict(err)) throw err;
            }
            this.metrics.creates.inc({ kind: 'service', result: 'repaired' });
            stats.repaired++;
          } else {
            this.log.info({ sandbox_id: a.id, decision: 'remove' }, 'removing half-created sandbox without a request record');
            await this.sandboxes.destroy(a.id, { reason: 'reaper', podUid: a.pod.metadata?.uid });
            this.metrics.reaps.inc({ reason: 'half_created' });
            stats.removed++;
          }
        } else {
          this.log.info({ sandbox_id: a.id, decision: 'remove' }, 'removing Service whose Pod is gone');
          await this.kube.deleteService(serviceName(a.id), a.uid).catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
          });
          this.cache.forgetService(serviceName(a.id), a.uid);
          this.metrics.reaps.inc({ reason: 'orphan_service' });
          stats.removed++;
        }
      } catch (err) {
        this.metrics.errors.inc({ kind: 'reaper' });
        this.log.warn({ err, sandbox_id: a.id, action: a.kind }, 'reaper action failed');
      }
    });
    stats.durationMs = performance.now() - started;
    stats.apiCalls = this.kube.tally.total - callsBefore;
    this.metrics.reaperSweepSeconds.observe(stats.durationMs / 1000);
    this.metrics.reaperLastSweep.set({ field: 'seconds' }, stats.durationMs / 1000);
    this.metrics.reaperLastSweep.set({ field: 'examined' }, stats.examined);
    this.metrics.reaperLastSweep.set({ field: 'actions' }, actions.length);
    this.metrics.reaperLastSweep.set({ field: 'api_calls' }, stats.apiCalls);
    if (actions.length > 0 || stats.ownershipCheckFailed) this.log.info({ ...stats }, 'reaper pass done');
    return stats;
  }
}

// Leader election on a coordination.k8s.io Lease (client-go's algorithm, simplified): the
// holder renews every retry period; others take over once renewTime + leaseDuration has passed.
// Exactly one replica runs the reaper.

import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from './errors.js';
import type { KubeClient } from './kube.js';
import type { Metrics } from './metrics.js';

export interface LeaderCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

export class LeaderElector {
  private leader = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastRenew = 0;
  private readonly retryMs: number;

  constructor(
    private readonly kube: KubeClient,
    private readonly leaseName: string,
    private readonly identity: string,
    private readonly durationSeconds: number,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly callbacks: LeaderCallbacks,
  ) {
    this.retryMs = Math.max(500, Math.floor((durationSeconds * 1000) / 5));
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.retryMs);
  }

  private async tick(): Promise<void> {
    try {
      const ok = await this.tryAcquireOrRenew();
      if (ok) this.lastRenew = Date.now();
      this.setLeader(ok || (this.leader && Date.now() - this.lastRenew < (this.durationSeconds * 1000 * 2) / 3));
    } catch (err) {
      this.log.warn({ err }, 'lease renew failed');
      // Keep leading only while our last successful renew is comfortably inside the lease.
      this.setLeader(this.leader && Date.now() - this.lastRenew < (this.durationSeconds * 1000 * 2) / 3);
    }
    this.schedule();
  }

  private setLeader(v: boolean): void {
    if (v === this.leader) return;
    this.leader = v;
    this.metrics.leader.set(v ? 1 : 0);
    this.log.info({ lease: this.leaseName, identity: this.identity }, v ? 'became reaper leader' : 'lost reaper leadership');
    if (v) this.callbacks.onStartedLeading();
    else this.callbacks.onStoppedLeading();
  }

  private record(prev: V1Lease | undefined, now: Date): V1Lease {
    const sameHolder = prev?.spec?.holderIdentity === this.identity;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.leaseName, namespace: this.kube.namespace, ...(prev?.metadata?.resourceVersion ? { resourceVersion: prev.metadata.resourceVersion } : {}) },
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: this.durationSeconds,
        acquireTime: sameHolder && prev?.spec?.acquireTime ? new V1MicroTime(prev.spec.acquireTime) : new V1MicroTime(now),
        renewTime: new V1MicroTime(now),
        leaseTransitions: (prev?.spec?.leaseTransitions ?? 0) + (sameHolder || !prev ? 0 : 1),
      },
    };
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    let lease: V1Lease;
    try {
      lease = await this.kube.readLease(this.leaseName);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.kube.createLease(this.record(undefined, now));
        return true;
      } catch (createErr) {
        if (isConflict(createErr)) return false;
        throw createErr;
      }
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const renew = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
    const duration = (lease.spec?.leaseDurationSeconds ?? this.durationSeconds) * 1000;
    if (holder !== '' && holder !== this.identity && renew + duration > now.getTime()) return false;
    try {
      await this.kube.replaceLease(this.leaseName, this.record(lease, now));
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /** Stops campaigning; a leader hands the Lease back so a peer can take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leader) return;
    this.setLeader(false);
    try {
      const lease = await this.kube.readLease(this.leaseName);
      if (lease.spec?.holderIdentity !== this.identity) return;
      const now = new V1MicroTime(new Date());
      await this.kube.replaceLease(this.leaseName, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
      });
      this.log.info({ lease: this.leaseName }, 'released reaper lease');
    } catch (err) {
      this.log.warn({ err }, 'lease release failed');
    }
  }
}

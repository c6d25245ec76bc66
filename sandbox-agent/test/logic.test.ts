import { describe, expect, it } from 'vitest';
import { ApiKeyChecker } from '../src/auth.js';
import { reapDecision, sandboxTimes } from '../src/lifecycle.js';
import { TokenBucket } from '../src/tokenbucket.js';

describe('token bucket', () => {
  it('grants the burst at once, then paces at the QPS', async () => {
    let now = 0;
    const b = new TokenBucket(10, 3, { now: () => now });
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
    now = 100; // 10 qps → one token per 100 ms
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
    now = 10_000;
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
  });
  it('queues waiters FIFO on the real clock', async () => {
    const b = new TokenBucket(50, 1);
    const t0 = performance.now();
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => b.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55); // 3 waits of 20 ms
  });
  it('rejects nonsense limits', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
  });
});

describe('API keys', () => {
  it('accepts every configured key and nothing else', () => {
    const c = new ApiKeyChecker(['old', 'new']);
    expect(c.check('old')).toBe(true);
    expect(c.check('new')).toBe(true);
    expect(c.check('ne')).toBe(false);
    expect(c.check('ké')).toBe(false);
    expect(c.check(undefined)).toBe(false);
  });
  it('fails closed without keys', () => {
    expect(new ApiKeyChecker([]).check('')).toBe(false);
    expect(new ApiKeyChecker(['']).check('')).toBe(false);
  });
});

describe('TTL decisions', () => {
  const policy = { idleTtlSeconds: 600, releasedTtlSeconds: 3600, maxLifetimeSeconds: 0, startGraceSeconds: 120 };
  const t = (createdS: number, touchS: number, releasedS?: number) => ({ createdAt: createdS * 1000, lastTouch: touchS * 1000, releasedAt: releasedS === undefined ? undefined : releasedS * 1000 });
  it('never reaps inside the start grace', () => {
    expect(reapDecision(t(0, 0, 0), 119_000, { ...policy, idleTtlSeconds: 1, releasedTtlSeconds: 1, maxLifetimeSeconds: 1 })).toBeUndefined();
  });
  it('measures idle time from the last touch', () => {
    expect(reapDecision(t(0, 500), 1000 * 1000, policy)).toBeUndefined();
    expect(reapDecision(t(0, 500), 1100 * 1000, policy)).toBe('idle_ttl');
    expect(reapDecision(t(0, 500), 1e9, { ...policy, idleTtlSeconds: 0 })).toBeUndefined();
  });
  it('applies the released TTL and the max lifetime', () => {
    expect(reapDecision(t(0, 200, 200), 3900 * 1000, { ...policy, idleTtlSeconds: 0 })).toBe('released_ttl');
    expect(reapDecision(t(0, 200, 200), 3000 * 1000, { ...policy, idleTtlSeconds: 0 })).toBeUndefined();
    expect(reapDecision(t(0, 9999), 10_000 * 1000, { ...policy, maxLifetimeSeconds: 5000 })).toBe('max_lifetime');
  });
  it('reads times from annotations, falling back to creationTimestamp', () => {
    const s = sandboxTimes({ creationTimestamp: new Date(1000), annotations: { 'sandbox.antler.dev/last-touch': new Date(5000).toISOString() } });
    expect(s).toEqual({ createdAt: 1000, lastTouch: 5000, releasedAt: undefined });
  });
});

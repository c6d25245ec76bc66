// The repo's one wait, one bounded pool and one percentile rule.
import { describe, expect, it } from 'vitest';
import { mapLimit } from './parallel.js';
import { percentile, summarize } from './stats.js';
import { eventually, sleep, waitFor } from './wait.js';

describe('waitFor / eventually', () => {
  it('resolves to the first value the probe returns', async () => {
    let calls = 0;
    const value = await waitFor('the third call', 2000, () => (++calls >= 3 ? { calls } : undefined), 5);
    expect(value).toEqual({ calls: 3 });
  });
  it('throws at the deadline, naming what it waited for and the last probe error', async () => {
    await expect(waitFor('a value that never comes', 50, () => { throw new Error('probe broke'); }, 5)).rejects.toThrow(/timed out after 0.05s waiting for a value that never comes \(last error: probe broke\)/);
    await expect(eventually('a condition that never holds', 50, () => false, 5)).rejects.toThrow(/waiting for a condition that never holds$/);
  });
  it('eventually resolves to the time the condition took', async () => {
    const started = Date.now();
    const took = await eventually('50 ms to pass', 2000, () => Date.now() - started >= 50, 5);
    expect(took).toBeGreaterThanOrEqual(50);
  });
});

describe('mapLimit', () => {
  it('keeps at most `limit` calls in flight and returns results in input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapLimit([30, 5, 20, 1, 10], 2, async (ms, index) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await sleep(ms);
      inFlight -= 1;
      return index;
    });
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });
  it('starts nothing after its budget and returns the prefix that started', async () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const results = await mapLimit(items, 2, async (i) => {
      await sleep(20);
      return i;
    }, { budgetMs: 50 });
    expect(results.length).toBeGreaterThan(0);
    expect(results.length).toBeLessThan(20);
    expect(results).toEqual(items.slice(0, results.length));
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(summarize([3, 1, 2])).toEqual({ count: 3, p50: 2, p95: 3, p99: 3, max: 3 });
  });
});

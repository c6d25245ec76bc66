// Bounded parallelism for harness, test and benchmark loops: at most `limit` calls of `work` in
// flight, results in input order. With `budgetMs`, no item starts after the budget is spent and
// the result holds the items that started (a prefix of the input). Keeps load loops bounded in
// count and time and 2-core machines from thrashing.
export interface MapLimitOptions {
  budgetMs?: number;
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>, options: MapLimitOptions = {}): Promise<R[]> {
  const deadline = options.budgetMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.budgetMs;
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && Date.now() < deadline) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results.slice(0, next);
}

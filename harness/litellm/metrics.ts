// The LiteLLM proxy's Prometheus metrics (`GET /metrics/`, which the chart's config guards with the
// master key), read by the host suite and the e2e: one counter summed over the series whose
// labels include the given ones.

/** The sum of `name`'s samples whose labels include every one of `labels`, in Prometheus text format. */
export function sumSamples(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const cut = line.lastIndexOf(' ');
    if (want.every((w) => line.slice(0, cut).includes(w))) sum += Number(line.slice(cut + 1));
  }
  return sum;
}

/** One counter of the proxy at `baseUrl` (no `/v1`), summed as `sumSamples` does. */
export async function proxyMetric(baseUrl: string, masterKey: string, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const res = await fetch(`${baseUrl}/metrics/`, { headers: { authorization: `Bearer ${masterKey}` }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${baseUrl}/metrics/: HTTP ${res.status}`);
  return sumSamples(await res.text(), name, labels);
}

// The LiteLLM proxy's Prometheus metrics (`GET /metrics/`, which the chart's config guards with the
// master key), read by the host suite and the e2e: one counter summed over the series whose
// labels include the given ones (../prometheus.ts).
import { sumSamples } from '../prometheus.js';

/** The proxy's metrics page at `baseUrl` (no `/v1`), read with the master key. */
export async function proxyMetrics(baseUrl: string, masterKey: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics/`, { headers: { authorization: `Bearer ${masterKey}` }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${baseUrl}/metrics/: HTTP ${res.status}`);
  return res.text();
}

/** One counter of the proxy at `baseUrl` (no `/v1`), summed as `sumSamples` does. */
export async function proxyMetric(baseUrl: string, masterKey: string, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  return sumSamples(await proxyMetrics(baseUrl, masterKey), name, labels);
}

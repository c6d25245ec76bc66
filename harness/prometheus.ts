// Prometheus text format, read by the harness (the LiteLLM proxy's counters, the API server's
// request counters in the benchmark): one metric summed over the series that carry given labels.

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

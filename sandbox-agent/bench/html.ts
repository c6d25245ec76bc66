// The benchmark's HTML page: the side-by-side table, the ratios, and bar charts (inline SVG) of
// p50 and p99 to-response and to-Running per concurrency level and configuration.
import type { ConfigResult, RatioRow } from './main.js';

interface Report {
  startedAt: string;
  configs: ConfigResult[];
  ratios: RatioRow[];
  peakRssMiB: Record<string, number>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = ['#888', '#1f77b4', '#17becf', '#d62728', '#ff7f0e'];

/** Grouped bars: one group per concurrency level, one bar per configuration, log-free linear ms scale. */
function chart(title: string, configs: readonly ConfigResult[], value: (r: ConfigResult) => number): string {
  const levels = [...new Set(configs.map((c) => c.concurrency))].sort((a, b) => a - b);
  const names = [...new Set(configs.map((c) => c.contender))];
  const max = Math.max(1, ...configs.map(value).filter(Number.isFinite));
  const barW = 18;
  const groupW = names.length * barW + 30;
  const h = 220;
  const bars = levels.flatMap((level, g) => names.map((name, i) => {
    const r = configs.find((c) => c.contender === name && c.concurrency === level);
    const v = r ? value(r) : Number.NaN;
    const bh = Number.isFinite(v) ? (v / max) * (h - 40) : 0;
    const x = 50 + g * groupW + i * barW;
    return `<rect x="${x}" y="${h - 20 - bh}" width="${barW - 2}" height="${bh}" fill="${COLORS[i % COLORS.length]}"><title>${esc(name)} c${level}: ${v.toFixed(0)} ms</title></rect>`;
  }));
  const labels = levels.map((level, g) => `<text x="${50 + g * groupW + (names.length * barW) / 2}" y="${h - 4}" text-anchor="middle" font-size="11">c${level}</text>`);
  const legend = names.map((name, i) => `<rect x="${50 + i * 150}" y="4" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${64 + i * 150}" y="13" font-size="11">${esc(name)}</text>`);
  const width = 60 + levels.length * groupW;
  return `<h3>${esc(title)}</h3><svg width="${Math.max(width, 60 + names.length * 150)}" height="${h}" role="img"><text x="4" y="30" font-size="10">${max.toFixed(0)} ms</text>${legend.join('')}${bars.join('')}${labels.join('')}</svg>`;
}

export function benchHtml(report: Report): string {
  const rows = [...report.configs].sort((a, b) => a.concurrency - b.concurrency || a.contender.localeCompare(b.contender)).map((r) => `<tr><td>${esc(r.contender)}</td><td>${r.concurrency}</td><td>${r.acquiresPerSecond.toFixed(1)}</td><td>${r.toResponseMs.p50.toFixed(0)} / ${r.toResponseMs.p95.toFixed(0)} / ${r.toResponseMs.p99.toFixed(0)}</td><td>${r.toRunningMs.p50.toFixed(0)} / ${r.toRunningMs.p95.toFixed(0)} / ${r.toRunningMs.p99.toFixed(0)}</td><td>${r.errors}</td><td>${r.writesPerAcquire.toFixed(1)}</td><td>${r.readsPerAcquire.toFixed(1)}</td><td>${r.cpuSecondsPer100 === undefined ? '-' : r.cpuSecondsPer100.toFixed(2)}</td></tr>`);
  const ratios = report.ratios.map((r) => `<tr><td>c${r.concurrency}</td><td>${esc(r.ours)}</td><td>${esc(r.upstream)}</td><td>${r.acquiresPerSecond.toFixed(2)}</td><td>${r.p99ToResponse.toFixed(2)}</td><td>${r.p99ToRunning.toFixed(2)}</td><td>${r.cpuPerAcquire.toFixed(2)}</td></tr>`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>sandbox-agent benchmark</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child{text-align:left}</style></head><body>
<h1>sandbox-agent against the official provisioner</h1><p>Run started ${esc(report.startedAt)}. DeerFlow's request shape: create, poll until Running, delete.</p>
<table><tr><th>config</th><th>conc</th><th>acquires/s</th><th>to-response ms p50/p95/p99</th><th>to-Running ms p50/p95/p99</th><th>errors</th><th>writes/acq</th><th>reads/acq</th><th>CPU s/100</th></tr>${rows.join('')}</table>
<p>Peak RSS MiB: ${Object.entries(report.peakRssMiB).map(([k, v]) => `${esc(k)} ${v.toFixed(0)}`).join(', ')}</p>
<h2>ours / upstream</h2><table><tr><th>conc</th><th>ours</th><th>upstream</th><th>acq/s</th><th>p99 to-response</th><th>p99 to-Running</th><th>CPU/acquire</th></tr>${ratios.join('')}</table>
${chart('to-response p50 (ms)', report.configs, (r) => r.toResponseMs.p50)}${chart('to-response p99 (ms)', report.configs, (r) => r.toResponseMs.p99)}${chart('to-Running p99 (ms)', report.configs, (r) => r.toRunningMs.p99)}
</body></html>
`;
}

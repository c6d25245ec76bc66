// Records e2e suites and checks as they run (live progress on stderr) and writes the three
// reports: report.json (machine-readable), junit.xml (CI dashboards), report.html (for people,
// with the concurrency suite's latency histogram drawn as SVG and each check's screenshots, which
// are written as PNG files under screenshots/ next to it).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatDuration, log } from '../progress.js';
import { summarize } from '../stats.js';

export interface CheckResult {
  name: string;
  /** A skipped check is neither passed nor failed: it did not run here (`skipped` says why). */
  status: 'passed' | 'failed' | 'skipped';
  skipped?: string;
  durationMs: number;
  error?: string;
  details?: Record<string, unknown>;
  /** Screenshots taken while the check ran, as paths relative to the report's directory. */
  screenshots?: Screenshot[];
}

export interface Screenshot {
  title: string;
  file: string;
}

export interface SuiteResult {
  name: string;
  durationMs: number;
  checks: CheckResult[];
}

export interface LatencySeries {
  label: string;
  samplesMs: number[];
}


/** Thrown by a check that cannot run here; recorded as skipped with its reason. */
export class SkipCheck extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export class Report {
  readonly suites: SuiteResult[] = [];
  readonly latencies: LatencySeries[] = [];
  readonly meta: Record<string, unknown> = {};
  private readonly started = performance.now();
  private current: SuiteResult | undefined;
  /** Screenshots of the running check, moved onto its result when it ends. */
  private pendingShots: Screenshot[] = [];
  private readonly images = new Map<string, Uint8Array>();

  async suite(name: string, body: () => Promise<void>): Promise<SuiteResult> {
    const result: SuiteResult = { name, durationMs: 0, checks: [] };
    this.suites.push(result);
    this.current = result;
    const started = performance.now();
    log('e2e', `── suite ${name}`);
    try {
      await body();
    } catch (error) {
      // A suite that dies outside a check still counts: as one failed check named after it.
      result.checks.push({ name: `${name} (suite aborted)`, status: 'failed', durationMs: 0, error: describeError(error) });
      log('e2e', `✗ suite ${name} aborted: ${describeError(error)}`);
    } finally {
      result.durationMs = performance.now() - started;
      this.current = undefined;
    }
    return result;
  }

  async check<T>(name: string, body: () => Promise<T>, details?: (value: T) => Record<string, unknown>): Promise<T | undefined> {
    const suite = this.current;
    if (!suite) throw new Error(`check "${name}" outside a suite`);
    const started = performance.now();
    this.pendingShots = [];
    const shots = (): { screenshots?: Screenshot[] } => {
      const taken = this.pendingShots;
      this.pendingShots = [];
      return taken.length > 0 ? { screenshots: taken } : {};
    };
    try {
      const value = await body();
      const durationMs = performance.now() - started;
      suite.checks.push({ name, status: 'passed', durationMs, details: details?.(value), ...shots() });
      log('e2e', `  ✓ ${name} (${formatDuration(durationMs)})`);
      return value;
    } catch (error) {
      const durationMs = performance.now() - started;
      if (error instanceof SkipCheck) {
        suite.checks.push({ name, status: 'skipped', skipped: error.reason, durationMs });
        log('e2e', `  - ${name}: skipped (${error.reason})`);
        return undefined;
      }
      suite.checks.push({ name, status: 'failed', durationMs, error: describeError(error), ...shots() });
      log('e2e', `  ✗ ${name} (${formatDuration(durationMs)}): ${describeError(error)}`);
      return undefined;
    }
  }

  /** A PNG for the running check (a failed check keeps the ones taken before it failed). */
  screenshot(title: string, png: Uint8Array): void {
    if (!this.current) throw new Error(`screenshot "${title}" outside a suite`);
    const file = `screenshots/${String(this.images.size + 1).padStart(2, '0')}-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48)}.png`;
    this.images.set(file, png);
    this.pendingShots.push({ title, file });
  }

  addLatencies(label: string, samplesMs: number[]): void {
    this.latencies.push({ label, samplesMs });
  }

  get counts(): { passed: number; failed: number; skipped: number } {
    const checks = this.suites.flatMap((suite) => suite.checks);
    return {
      passed: checks.filter((check) => check.status === 'passed').length,
      failed: checks.filter((check) => check.status === 'failed').length,
      skipped: checks.filter((check) => check.status === 'skipped').length,
    };
  }

  toJson(): Record<string, unknown> {
    return {
      ...this.meta,
      wallTimeMs: Math.round(performance.now() - this.started),
      counts: this.counts,
      suites: this.suites,
      latencies: Object.fromEntries(this.latencies.map((series) => [series.label, summarize(series.samplesMs)])),
    };
  }

  async write(dir: string): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    const files = [path.join(dir, 'report.json'), path.join(dir, 'junit.xml'), path.join(dir, 'report.html')];
    await writeFile(files[0] as string, `${JSON.stringify(this.toJson(), null, 2)}\n`);
    await writeFile(files[1] as string, junitXml(this.suites));
    await writeFile(files[2] as string, html(this));
    for (const [file, png] of this.images) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), png);
      files.push(path.join(dir, file));
    }
    return files;
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[char] as string);
}

export function junitXml(suites: readonly SuiteResult[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = suites.flatMap((suite) => suite.checks);
  lines.push(`<testsuites name="antler-e2e" tests="${all.length}" failures="${all.filter((c) => c.status === 'failed').length}">`);
  for (const suite of suites) {
    const failures = suite.checks.filter((check) => check.status === 'failed').length;
    const skipped = suite.checks.filter((check) => check.skipped).length;
    lines.push(`  <testsuite name="${xmlEscape(suite.name)}" tests="${suite.checks.length}" failures="${failures}" skipped="${skipped}" time="${(suite.durationMs / 1000).toFixed(3)}">`);
    for (const check of suite.checks) {
      const open = `    <testcase classname="${xmlEscape(suite.name)}" name="${xmlEscape(check.name)}" time="${(check.durationMs / 1000).toFixed(3)}"`;
      if (check.skipped) lines.push(`${open}><skipped message="${xmlEscape(check.skipped)}"/></testcase>`);
      else if (check.status === 'failed') lines.push(`${open}><failure message="${xmlEscape((check.error ?? '').split('\n')[0] ?? '')}">${xmlEscape(check.error ?? '')}</failure></testcase>`);
      else lines.push(`${open}/>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

/** An SVG histogram: log-spaced latency buckets, one bar colour per series. */
export function histogramSvg(series: readonly LatencySeries[]): string {
  const all = series.flatMap((s) => s.samplesMs).filter((v) => Number.isFinite(v) && v > 0);
  if (all.length === 0) return '<p>No latency samples.</p>';
  const min = Math.max(1, Math.min(...all));
  const max = Math.max(...all);
  const bucketCount = 24;
  const logMin = Math.log10(min);
  const span = Math.max(0.1, Math.log10(max) - logMin);
  const bucketOf = (v: number): number => Math.min(bucketCount - 1, Math.floor(((Math.log10(Math.max(v, min)) - logMin) / span) * bucketCount));
  const counts = series.map((s) => {
    const buckets = new Array<number>(bucketCount).fill(0);
    for (const v of s.samplesMs) if (Number.isFinite(v)) buckets[bucketOf(v)] = (buckets[bucketOf(v)] ?? 0) + 1;
    return buckets;
  });
  const peak = Math.max(1, ...counts.flat());
  const width = 760;
  const height = 260;
  const plotTop = 20;
  const plotHeight = 190;
  const groupWidth = (width - 60) / bucketCount;
  const barWidth = Math.max(2, (groupWidth - 4) / series.length);
  const colours = ['#2563eb', '#f59e0b', '#10b981', '#ef4444'];
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 40}" role="img" aria-label="latency histogram">`];
  parts.push(`<line x1="50" y1="${plotTop + plotHeight}" x2="${width - 10}" y2="${plotTop + plotHeight}" stroke="#333"/>`);
  parts.push(`<text x="10" y="${plotTop + 8}" font-size="11">${peak}</text><text x="10" y="${plotTop + plotHeight}" font-size="11">0</text>`);
  counts.forEach((buckets, seriesIndex) => {
    buckets.forEach((count, bucket) => {
      if (count === 0) return;
      const barHeight = (count / peak) * plotHeight;
      const x = 50 + bucket * groupWidth + seriesIndex * barWidth;
      parts.push(`<rect x="${x.toFixed(1)}" y="${(plotTop + plotHeight - barHeight).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${colours[seriesIndex % colours.length]}"><title>${count}</title></rect>`);
    });
  });
  for (let bucket = 0; bucket <= bucketCount; bucket += 4) {
    const edge = 10 ** (logMin + (bucket / bucketCount) * span);
    parts.push(`<text x="${(50 + bucket * groupWidth).toFixed(1)}" y="${plotTop + plotHeight + 16}" font-size="11">${edge < 1000 ? `${Math.round(edge)}ms` : `${(edge / 1000).toFixed(1)}s`}</text>`);
  }
  series.forEach((s, index) => {
    parts.push(`<rect x="${60 + index * 220}" y="${height + 14}" width="12" height="12" fill="${colours[index % colours.length]}"/><text x="${78 + index * 220}" y="${height + 25}" font-size="12">${xmlEscape(s.label)} (n=${s.samplesMs.length})</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Thumbnails that link to the full-size PNGs. */
export function screenshotsHtml(shots: readonly Screenshot[]): string {
  return shots
    .map((shot) => `<figure><a href="${xmlEscape(shot.file)}"><img src="${xmlEscape(shot.file)}" alt="${xmlEscape(shot.title)}" width="480" loading="lazy"></a><figcaption>${xmlEscape(shot.title)}</figcaption></figure>`)
    .join('');
}

function html(report: Report): string {
  const { passed, failed, skipped } = report.counts;
  const rows = report.suites
    .flatMap((suite) =>
      suite.checks.map((check) => {
        const state = check.status === 'failed' ? 'FAILED' : check.status;
        const note = check.skipped ?? check.error ?? '';
        return `<tr class="${state}"><td>${xmlEscape(suite.name)}</td><td>${xmlEscape(check.name)}</td><td>${state}</td><td>${formatDuration(check.durationMs)}</td><td><pre>${xmlEscape(note)}</pre>${screenshotsHtml(check.screenshots ?? [])}</td></tr>`;
      }),
    )
    .join('\n');
  const latencyRows = report.latencies
    .map((series) => {
      const s = summarize(series.samplesMs);
      return `<tr><td>${xmlEscape(series.label)}</td><td>${s.count}</td><td>${s.p50}</td><td>${s.p95}</td><td>${s.p99}</td><td>${s.max}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Antler e2e report</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse;width:100%;margin-bottom:2rem}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}tr.FAILED{background:#fee2e2}tr.skipped{color:#777}pre{margin:0;white-space:pre-wrap}figure{display:inline-block;margin:4px 8px 4px 0}figure img{border:1px solid #ccc}figcaption{font-size:12px;color:#555}</style>
</head><body>
<h1>Antler e2e report</h1>
<p><strong>${passed} passed, ${failed} failed</strong>${skipped ? `, ${skipped} skipped` : ''}. Backend: ${xmlEscape(String(report.meta.backend ?? '?'))}. Generated ${new Date().toISOString()}.</p>
<h2>Acquire latency (concurrency suite)</h2>
${histogramSvg(report.latencies)}
<table><tr><th>series</th><th>n</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr>${latencyRows}</table>
<h2>Checks</h2>
<table><tr><th>suite</th><th>check</th><th>result</th><th>time</th><th>note</th></tr>${rows}</table>
</body></html>
`;
}

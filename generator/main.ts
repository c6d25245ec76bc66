/**
 * `tsx generator/main.ts` writes the chart; `--check` verifies it instead:
 * the committed files equal the generated ones, no declared value is unused, and no template
 * reads an undeclared `.Values` path.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chartFiles } from './chart-files.js';
import { model } from './model/index.js';
import type { Group } from './model/types.js';
import { scan } from './scan.js';

const CHART_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'chart');
/** Generated paths live here; anything else under chart/ (tests/) is hand-written. */
const GENERATED_ROOTS = ['Chart.yaml', '.helmignore', 'values.yaml', 'values.schema.json', 'README.md', 'templates', 'dashboards'];

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

function existingGenerated(chartDir: string): string[] {
  return GENERATED_ROOTS.flatMap((root) => {
    const full = join(chartDir, root);
    if (!existsSync(full)) return [];
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  }).map((f) => relative(chartDir, f));
}

export interface CheckReport {
  readonly problems: string[];
}

/** `root` is the model the usage check runs against (tests pass a model with an extra leaf). */
export function check(chartDir: string = CHART_DIR, root: Group = model): CheckReport {
  const files = chartFiles();
  const problems: string[] = [];
  const generated = new Set(files.map((f) => f.path));
  for (const f of files) {
    const full = join(chartDir, f.path);
    if (!existsSync(full)) problems.push(`missing: chart/${f.path} (run make chart)`);
    else if (readFileSync(full, 'utf8') !== f.content) problems.push(`stale: chart/${f.path} differs from the generator output (run make chart)`);
  }
  for (const path of existingGenerated(chartDir)) {
    if (!generated.has(path)) problems.push(`unexpected: chart/${path} is not produced by the generator`);
  }
  const templates = new Map(files.filter((f) => f.path.startsWith('templates/')).map((f) => [f.path, f.content]));
  const result = scan(root, templates);
  for (const u of result.undeclared) problems.push(`undeclared value read by a template: ${u}`);
  for (const u of result.unused) problems.push(`declared value read by no template: ${u}`);
  return { problems };
}

export function write(chartDir: string = CHART_DIR): string[] {
  const files = chartFiles();
  const generated = new Set(files.map((f) => f.path));
  for (const path of existingGenerated(chartDir)) {
    if (!generated.has(path)) rmSync(join(chartDir, path));
  }
  for (const f of files) {
    const full = join(chartDir, f.path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, f.content);
  }
  return files.map((f) => f.path);
}

function main(argv: readonly string[]): number {
  if (argv.includes('--check')) {
    const { problems } = check();
    if (problems.length > 0) {
      process.stderr.write(`chart-check failed:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 1;
    }
    process.stdout.write('chart-check: chart/ is up to date and consistent with the values model\n');
    return 0;
  }
  const written = write();
  const { problems } = check();
  process.stdout.write(`wrote ${written.length} files under chart/\n`);
  if (problems.length > 0) {
    process.stderr.write(`model/template inconsistencies:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}

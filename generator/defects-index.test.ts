/**
 * docs/official-chart-defects.md stays true: it lists D1–D26 once each, every test title it quotes
 * exists in the named suite, and every test titled `D<n>: ...` in the repo is listed under D<n>.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './test-tools.js';

const INDEX = readFileSync(join(REPO_ROOT, 'docs', 'official-chart-defects.md'), 'utf8');
const ROWS = new Map(
  [...INDEX.matchAll(/^\| D(\d+) \| (.+?) \| (.+) \|$/gm)].map((m) => [Number(m[1]), { defect: m[2] as string, tests: m[3] as string }]),
);

function files(dir: string, suffix: string): string[] {
  return readdirSync(join(REPO_ROOT, dir)).filter((f) => f.endsWith(suffix)).map((f) => join(dir, f));
}

/** Test titles per file: helm-unittest `- it:` lines and vitest `it(`/`describe(` strings. */
function titles(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of files('chart/tests', '_test.yaml')) {
    out.set(f, [...readFileSync(join(REPO_ROOT, f), 'utf8').matchAll(/^\s*- it:\s*"?(.*?)"?\s*$/gm)].map((m) => m[1] as string));
  }
  for (const dir of ['generator', 'sandbox-agent/test', 'harness']) {
    for (const f of files(dir, '.test.ts')) {
      out.set(f, [...readFileSync(join(REPO_ROOT, f), 'utf8').matchAll(/\b(?:it|describe)(?:\.each\([^)]*\))?\(\s*(['"`])(.*?)\1/g)].map((m) => m[2] as string));
    }
  }
  return out;
}

describe('official chart defects index', () => {
  const all = titles();
  const everyTitle = [...all.values()].flat();

  it('lists D1–D26, each once, each with a test', () => {
    expect([...ROWS.keys()]).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(INDEX.match(/^\| D\d+ \|/gm)?.length).toBe(26);
    for (const [d, row] of ROWS) expect(row.tests.length, `D${d}`).toBeGreaterThan(10);
  });

  it('every quoted test title exists', () => {
    const missing: string[] = [];
    for (const [d, row] of ROWS) {
      for (const m of row.tests.matchAll(/"([^"]+)"/g)) {
        const quoted = (m[1] as string).replace(/…$/, '');
        if (!everyTitle.some((t) => t.startsWith(quoted) || t.includes(quoted))) missing.push(`D${d}: ${quoted}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every test titled with a defect number is listed under it', () => {
    const unlisted: string[] = [];
    for (const [file, list] of all) {
      for (const t of list) {
        for (const m of t.matchAll(/\bD(\d+)(?=[:/])/g)) {
          const row = ROWS.get(Number(m[1]))?.tests ?? '';
          const suite = (file.split('/').pop() as string).replace(/\.yaml$/, '');
          // Listed: the suite is named in the row and the title is quoted (at least its first 30 characters).
          if (!row.includes(suite) || !row.includes(`"${t.slice(0, 30)}`)) unlisted.push(`${file}: ${t}`);
        }
      }
    }
    expect(unlisted).toEqual([]);
  });
});

/** Publishing metadata of chart/Chart.yaml: Artifact Hub annotations, icon, maintainers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { image } from './model/workload.js';
import { defaultImageBlocks, defaultReference } from './model/images.js';
import { model } from './model/index.js';
import { CHART_DIR, REPO_ROOT } from './test-tools.js';

interface ChartYaml {
  icon?: string;
  maintainers?: { name: string }[];
  annotations: Record<string, string>;
}

const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as ChartYaml;
const annotation = <T>(key: string): T => {
  const text = chart.annotations[key];
  if (text === undefined) throw new Error(`Chart.yaml has no ${key}`);
  return parse(text) as T;
};

describe('Artifact Hub metadata', () => {
  it('lists every image the chart can run, as the model defaults it', () => {
    const images = annotation<{ name: string; image: string }[]>('artifacthub.io/images');
    const expected = defaultImageBlocks(model).map(defaultReference);
    expect(images.map((i) => i.image)).toEqual(expected);
    expect(new Set(images.map((i) => i.name)).size).toBe(images.length);
    for (const i of images) expect(i.image).toMatch(/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+:[A-Za-z0-9_.-]+(@sha256:[a-f0-9]{64})?$/);
  });

  it('an image with a pinned digest is listed with it', () => {
    const digest = `sha256:${'d'.repeat(64)}`;
    const block = image({ registry: 'ghcr.io', repository: 'x/y', tag: 'v1.0.0' }, 'x');
    const pinned = { ...block, children: { ...block.children, digest: { kind: 'string' as const, default: digest, description: '' } } };
    expect(defaultReference({ path: 'x.image', group: pinned, optional: false })).toBe(`ghcr.io/x/y:v1.0.0@${digest}`);
  });

  it('license, links and changes are valid Artifact Hub entries; the license is the project\'s', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { license: string };
    expect(chart.annotations['artifacthub.io/license']).toBe(pkg.license);
    for (const l of annotation<{ name: string; url: string }[]>('artifacthub.io/links')) expect(l.url).toMatch(/^https:\/\//);
    const changes = annotation<{ kind: string; description: string }[]>('artifacthub.io/changes');
    expect(changes.length).toBeGreaterThan(0);
    for (const c of changes) {
      expect(['added', 'changed', 'deprecated', 'removed', 'fixed', 'security']).toContain(c.kind);
      expect(c.description.length).toBeGreaterThan(10);
    }
  });

  it('has an icon and maintainers', () => {
    expect(chart.icon).toMatch(/^https:\/\/.+\.(svg|png)$/);
    expect(chart.maintainers?.length).toBeGreaterThan(0);
  });
});

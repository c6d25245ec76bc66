import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from './main.js';
import { model } from './model/index.js';
import { group, str } from './model/builders.js';
import { scan, valuesReferences } from './scan.js';
import { CHART_DIR } from './test-tools.js';

describe('make chart-check', () => {
  it('the committed chart equals the generator output and the model and templates agree', () => {
    expect(check().problems).toEqual([]);
  });

  const tmp = mkdtempSync(join(tmpdir(), 'antler-chart-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('fails when a generated file was edited by hand', () => {
    const dir = join(tmp, 'edited');
    cpSync(CHART_DIR, dir, { recursive: true });
    const file = join(dir, 'templates', 'gateway', 'service.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}# hand edit\n`);
    expect(check(dir).problems).toContain('stale: chart/templates/gateway/service.yaml differs from the generator output (run make chart)');
  });

  it('fails when a stray template is committed or a generated one is missing', () => {
    const dir = join(tmp, 'stray');
    cpSync(CHART_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'templates', 'extra.yaml'), 'kind: ConfigMap\n');
    rmSync(join(dir, 'values.schema.json'));
    const { problems } = check(dir);
    expect(problems).toContain('unexpected: chart/templates/extra.yaml is not produced by the generator');
    expect(problems).toContain('missing: chart/values.schema.json (run make chart)');
  });
});

describe('values path scanner', () => {
  const tiny = group('root', {
    gateway: group('g', { port: str('8001', 'port'), labels: { kind: 'object', default: {}, description: 'free-form' } }),
    unused: str('', 'read by nothing'),
  });

  it('finds .Values and $.Values paths, including through helpers', () => {
    expect(valuesReferences('{{ .Values.a.b }} {{ $.Values.c }} {{ $ctx.Values.d.e }}')).toEqual([['a', 'b'], ['c'], ['d', 'e']]);
  });

  it('reports undeclared paths and unused values', () => {
    const result = scan(tiny, new Map([['templates/x.yaml', '{{ .Values.gateway.port }} {{ .Values.gateway.typo }} {{ .Values.gateway.labels.team }}']]));
    expect(result.undeclared).toEqual(['templates/x.yaml: .Values.gateway.typo']);
    expect(result.unused).toEqual(['unused']);
    expect(result.readers.get('gateway.port')).toEqual(['templates/x.yaml']);
  });

  it('a template reading a whole group marks its leaves as read', () => {
    const result = scan(tiny, new Map([['templates/y.yaml', '{{ toYaml .Values.gateway }} {{ .Values.unused }}']]));
    expect(result.unused).toEqual([]);
  });

  it('without templates every declared value is reported unused (the check is not vacuous)', () => {
    const generated = new Map<string, string>();
    expect(scan(model, generated).unused.length).toBeGreaterThan(100); // sanity: nothing read without templates
  });
});

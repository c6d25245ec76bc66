import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from './main.js';
import { model } from './model/index.js';
import { group, obj, str } from './model/builders.js';
import type { Group, ValueNode } from './model/types.js';
import { scan } from './scan.js';
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

/** The model with one more leaf at `path` (groups on the way must exist). */
function withLeaf(root: Group, path: readonly string[], leaf: ValueNode): Group {
  const [key, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) return { ...root, children: { ...root.children, [key]: leaf } };
  const child = root.children[key];
  if (child === undefined || child.kind !== 'group') throw new Error(`no group ${key}`);
  return { ...root, children: { ...root.children, [key]: withLeaf(child, rest, leaf) } };
}

describe('make chart-check: values read by no template', () => {
  // Leaves under groups that templates only pass to helpers: the old regex scanner counted a
  // group reference as reading every leaf below it, so these passed unnoticed.
  it.each([
    'gateway.autoscaling.hpa.unreadKnob',
    'sandbox.agent.autoscaling.keda.unreadKnob',
    'networkPolicy.unreadKnob',
    'networkPolicy.apiServer.unreadKnob',
    'limitRange.max.unreadKnob',
    'deerflow.auth.unreadKnob',
    'gateway.image.unreadKnob',
  ])('an unread leaf %s fails the check', (dotted) => {
    const { problems } = check(CHART_DIR, withLeaf(model, dotted.split('.'), str('', 'never read')));
    expect(problems).toEqual([`declared value read by no template: ${dotted}`]);
  });
});

describe('values usage scanner', () => {
  const tiny = group('root', {
    gateway: group('g', {
      port: str('8001', 'port'),
      labels: obj({}, 'free-form'),
      probe: group('p', { enabled: str('', 'e'), period: str('', 'p'), timeout: str('', 't') }),
      scaling: group('s', { on: str('', 'on'), max: str('', 'max') }),
    }),
    other: str('', 'other'),
  });
  const run = (text: string, helpers = ''): ReturnType<typeof scan> =>
    scan(tiny, new Map([['templates/_h.tpl', helpers], ['templates/x.yaml', text]]));

  it('reads leaves and free-form objects (indexed too); reports undeclared paths', () => {
    const r = run('{{ .Values.gateway.port }} {{ .Values.gateway.typo }} {{ .Values.gateway.labels.team }} {{ $.Values.other }}');
    expect(r.undeclared).toEqual(['templates/x.yaml: .Values.gateway.typo']);
    expect(r.readers.get('gateway.port')).toEqual(['templates/x.yaml']);
    expect(r.readers.get('gateway.labels')).toEqual(['templates/x.yaml']);
    expect(r.readers.get('other')).toEqual(['templates/x.yaml']);
  });

  it('ignores comments and raw text', () => {
    const r = run('{{/* .Values.other */}} {{- /* .Values.gateway.port */ -}} text .Values.gateway.port');
    expect(r.readers.get('other')).toEqual([]);
    expect(r.readers.get('gateway.port')).toEqual([]);
  });

  it('a group reference alone reads nothing', () => {
    const r = run('{{ if .Values.gateway.scaling }}{{ $s := .Values.gateway.probe }}{{ end }}');
    expect(r.unused).toContain('gateway.scaling.on');
    expect(r.unused).toContain('gateway.probe.period');
  });

  it('a group passed to a helper counts only the leaves the helper dereferences (aliases and nested includes included)', () => {
    const helpers = [
      '{{- define "t.on" -}}{{ if .on }}true{{ end }}{{- end -}}',
      '{{- define "t.scale" -}}{{- $s := .scaling -}}{{ include "t.on" $s }}{{- end -}}',
    ].join('\n');
    const r = run('{{ include "t.scale" (dict "scaling" .Values.gateway.scaling "ctx" $) }}', helpers);
    expect(r.readers.get('gateway.scaling.on')).toEqual(['templates/x.yaml', 'templates/_h.tpl']);
    expect(r.unused).toContain('gateway.scaling.max');
  });

  it('helpers that read .Values through the root context they are given', () => {
    const r = run('{{ include "t.port" (dict "ctx" $) }}', '{{- define "t.port" -}}{{ .ctx.Values.gateway.port }} {{ .ctx.Values.gateway.nope }}{{- end -}}');
    expect(r.readers.get('gateway.port')).toEqual(['templates/_h.tpl']);
    expect(r.undeclared).toEqual(['templates/_h.tpl: .Values.gateway.nope']);
  });

  it('whole-group readers (toYaml, toJson) read every leaf; omit drops the named children', () => {
    const r = run('{{ toYaml (omit .Values.gateway.probe "enabled") }} {{ with .Values.gateway.scaling }}{{ toJson . }}{{ end }}');
    expect(r.readers.get('gateway.probe.period')).toEqual(['templates/x.yaml']);
    expect(r.readers.get('gateway.probe.timeout')).toEqual(['templates/x.yaml']);
    expect(r.readers.get('gateway.probe.enabled')).toEqual([]);
    expect(r.readers.get('gateway.scaling.max')).toEqual(['templates/x.yaml']);
  });

  it('a checksum (a pipeline into sha256sum) is not a read', () => {
    const r = run('{{ toJson (list .Values.gateway.scaling .Values.other) | sha256sum }}');
    expect(r.unused).toEqual(leavesOf(tiny));
  });

  it('without templates every declared value is reported unused (the check is not vacuous)', () => {
    expect(scan(model, new Map()).unused.length).toBeGreaterThan(100);
  });
});

function leavesOf(root: Group): string[] {
  const out: string[] = [];
  const walk = (n: ValueNode, p: string[]): void => {
    if (n.kind === 'group') for (const [k, c] of Object.entries(n.children)) walk(c, [...p, k]);
    else out.push(p.join('.'));
  };
  walk(root, []);
  return out;
}

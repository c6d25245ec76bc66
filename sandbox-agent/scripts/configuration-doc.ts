// Renders sandbox-agent/docs/configuration.md from the environment table (src/env.ts).
// `tsx sandbox-agent/scripts/configuration-doc.ts` writes it; `--check` fails when it is stale
// (sandbox-agent/test/env.test.ts runs the same comparison).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_ENV, type EnvSpec } from '../src/env.js';

export const DOC_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'configuration.md');

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (v: unknown): string => (v === '' ? '`""`' : `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``);

function typeOf(spec: EnvSpec): string {
  if (spec.kind === 'string' && spec.enum) return spec.enum.map((e) => `\`${e}\``).join(' \\| ');
  if (spec.kind === 'json') return 'JSON';
  if (spec.kind === 'list') return 'comma list';
  return spec.kind;
}

function defaultOf(spec: EnvSpec): string {
  if (spec.default === undefined) return 'unset';
  return code(spec.default);
}

function boundsOf(spec: EnvSpec): string {
  switch (spec.kind) {
    case 'integer':
      return `${spec.minimum}–${spec.maximum}`;
    case 'number':
      return `${spec.exclusiveMinimum !== undefined ? `> ${spec.exclusiveMinimum}` : `≥ ${spec.minimum ?? '−∞'}`}, ≤ ${spec.maximum}`;
    case 'string':
      return spec.what ?? (spec.pattern !== undefined ? `\`${spec.pattern}\`` : '');
    case 'json':
      return 'schema in `src/env.ts`';
    default:
      return '';
  }
}

function chartOf(spec: EnvSpec): string {
  const b = spec.chart;
  if (b === undefined) return 'agent default';
  if ('derived' in b) return `derived: ${b.derived}`;
  return `\`${b.values}\`${b.why !== undefined ? ` (default ${code(b.default)}, see below)` : ''}`;
}

export function renderConfigurationDoc(): string {
  const rows = Object.entries(AGENT_ENV).map(([name, s]) => {
    const spec: EnvSpec = s;
    const tag = spec.upstream === true ? ' ⇧' : '';
    return `| \`${name}\`${tag} | ${typeOf(spec)} | ${cell(defaultOf(spec))} | ${cell(boundsOf(spec))} | ${cell(chartOf(spec))} | ${cell(spec.description)} |`;
  });
  const differ = Object.entries(AGENT_ENV).flatMap(([name, s]) => {
    const spec: EnvSpec = s;
    return spec.chart !== undefined && 'values' in spec.chart && spec.chart.why !== undefined
      ? [`- \`${name}\`: agent ${defaultOf(spec)}, chart ${code(spec.chart.default)} (\`${spec.chart.values}\`). ${spec.chart.why}`]
      : [];
  });
  return [
    '<!-- Generated from sandbox-agent/src/env.ts by sandbox-agent/scripts/configuration-doc.ts; do not edit. -->',
    '# Sandbox agent configuration',
    '',
    'Every setting is an environment variable, read and validated once at start against the table in',
    '`src/env.ts`. A bad value stops the agent with exit code 2 and one JSON line naming the variable and',
    'the value. Unset, and empty for non-string settings, means the default. ⇧ marks the upstream',
    'provisioner\'s variables: same names and meaning, and the same defaults except the pinned',
    '`SANDBOX_IMAGE`. The chart column says how the Helm chart',
    'sets a variable: from a values path (whose schema carries the same bounds), derived from other chart',
    'facts, or not at all (the agent default applies).',
    '',
    '| Variable | Type | Default | Bounds | Chart | Meaning |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    '## Where the chart\'s default differs, and why',
    '',
    ...differ,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const want = renderConfigurationDoc();
  if (process.argv.includes('--check')) {
    if (readFileSync(DOC_PATH, 'utf8') !== want) {
      process.stderr.write(`${DOC_PATH} is stale: run tsx sandbox-agent/scripts/configuration-doc.ts\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(DOC_PATH, want);
  }
}

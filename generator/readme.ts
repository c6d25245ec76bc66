/** Model → chart/README.md (handlebars): install/upgrade/uninstall docs and the parameters table. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { ALL_COMPONENTS } from './components.js';
import { chartMeta } from './model/index.js';
import type { Group, Leaf } from './model/types.js';
import { isGroup, leaves } from './model/types.js';

interface Row {
  readonly path: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

interface Section {
  readonly title: string;
  readonly rows: Row[];
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function typeOf(leaf: Leaf): string {
  if (leaf.kind === 'string' && leaf.enum) return leaf.enum.map((e) => `\`${e}\``).join(' \\| ');
  return leaf.kind;
}

function defaultOf(leaf: Leaf): string {
  if (leaf.kind === 'string' && leaf.secret === true) return '`""` (secret)';
  const json = JSON.stringify(leaf.default);
  return json.length > 60 ? '<sub>see values.yaml</sub>' : `\`${cell(json)}\``;
}

function sections(root: Group, readers: ReadonlyMap<string, readonly string[]>): Section[] {
  const out: Section[] = [];
  let current: Section = { title: 'General', rows: [] };
  out.push(current);
  for (const [key, child] of Object.entries(root.children)) {
    if (isGroup(child) && child.title !== undefined) {
      current = { title: child.title, rows: [] };
      out.push(current);
    }
    for (const { path, leaf } of leaves(child, [key])) {
      const dotted = path.join('.');
      const files = (readers.get(dotted) ?? []).map((f) => f.replace(/^templates\//, ''));
      const readBy = files.length === 0 ? '' : files.length > 8 ? ` <sub>Read by: ${files.length} templates</sub>` : ` <sub>Read by: ${files.join(', ')}</sub>`;
      current.rows.push({ path: dotted, type: typeOf(leaf), default: defaultOf(leaf), description: cell(leaf.description) + readBy });
    }
  }
  return out.filter((s) => s.rows.length > 0);
}

const here = dirname(fileURLToPath(import.meta.url));


export function renderReadme(root: Group, readers: ReadonlyMap<string, readonly string[]>): string {
  const template = Handlebars.compile(readFileSync(join(here, 'readme.hbs'), 'utf8'), { noEscape: true });
  const components = ALL_COMPONENTS.map((c) => ({ name: c.name, kind: c.kind, port: c.port.number, notes: c.description }));
  return template({ ...chartMeta, components, sections: sections(root, readers) });
}

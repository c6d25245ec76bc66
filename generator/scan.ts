/**
 * cert-manager-style consistency checks between the model and the generated templates:
 * every `.Values.x.y` path a template reads must be declared, and every declared value must be
 * read by at least one template.
 */
import type { ValueNode } from './model/types.js';
import { isGroup, leaves } from './model/types.js';

const VALUES_REF = /\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g;

/** `.Values` paths referenced by a template's text, with the path segments split. */
export function valuesReferences(text: string): string[][] {
  const out: string[][] = [];
  for (const match of text.matchAll(VALUES_REF)) {
    const dotted = match[1];
    if (dotted !== undefined) out.push(dotted.slice(1).split('.'));
  }
  return out;
}

export interface ScanResult {
  /** `template: path` for every reference the model does not declare. */
  readonly undeclared: string[];
  /** Declared leaf paths no template reads. */
  readonly unused: string[];
  /** For each leaf path, the templates that read it (directly or through an ancestor). */
  readonly readers: ReadonlyMap<string, readonly string[]>;
}

/** Resolves a referenced path against the model: ok, or the index where it left the model. */
function resolve(root: ValueNode, path: readonly string[]): boolean {
  let node: ValueNode = root;
  for (const key of path) {
    if (!isGroup(node)) return node.kind === 'object'; // free-form maps may be indexed
    const child: ValueNode | undefined = node.children[key];
    if (child === undefined) return false;
    node = child;
  }
  return true;
}

export function scan(root: ValueNode, templates: ReadonlyMap<string, string>): ScanResult {
  const undeclared: string[] = [];
  const readers = new Map<string, string[]>();
  const all = leaves(root).map((l) => l.path.join('.'));
  for (const p of all) readers.set(p, []);
  for (const [file, text] of templates) {
    for (const ref of valuesReferences(text)) {
      if (!resolve(root, ref)) {
        undeclared.push(`${file}: .Values.${ref.join('.')}`);
        continue;
      }
      const prefix = ref.join('.');
      for (const p of all) {
        if (p === prefix || p.startsWith(`${prefix}.`) || prefix.startsWith(`${p}.`)) {
          const list = readers.get(p);
          if (list !== undefined && !list.includes(file)) list.push(file);
        }
      }
    }
  }
  const unused = all.filter((p) => (readers.get(p) ?? []).length === 0);
  return { undeclared: [...new Set(undeclared)], unused, readers };
}

/** Model → chart/values.yaml: grouped, commented, with a yaml-language-server modeline. */
import { stringify } from 'yaml';
import type { Group, Leaf, ValueNode } from './model/types.js';
import { isGroup } from './model/types.js';

const WIDTH = 100;

function wrap(text: string, prefix: string): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line.length > 0 && prefix.length + line.length + 1 + word.length > WIDTH) {
      lines.push(prefix + line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(prefix + line);
  return lines;
}

function scalar(value: unknown): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function leafLines(key: string, leaf: Leaf, indent: string): string[] {
  const out = wrap(`-- ${leaf.description}`, `${indent}# `);
  const value = leaf.default;
  const isEmptyCollection = (Array.isArray(value) && value.length === 0)
    || (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);
  if (typeof value !== 'object' || value === null || isEmptyCollection) {
    out.push(`${indent}${key}: ${Array.isArray(value) ? '[]' : isEmptyCollection ? '{}' : scalar(value)}`);
  } else {
    out.push(`${indent}${key}:`);
    for (const line of stringify(value, { lineWidth: 0 }).trimEnd().split('\n')) out.push(`${indent}  ${line}`);
  }
  return out;
}

function groupLines(g: Group, indent: string): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(g.children)) out.push(...nodeLines(key, child, indent));
  return out;
}

function nodeLines(key: string, node: ValueNode, indent: string): string[] {
  if (!isGroup(node)) return leafLines(key, node, indent);
  const out: string[] = [];
  if (indent === '' && node.title !== undefined) out.push('', `## @section ${node.title}`);
  out.push(...wrap(node.description, `${indent}## `));
  out.push(`${indent}${key}:`);
  out.push(...groupLines(node, `${indent}  `));
  return out;
}

export function toValuesYaml(root: Group, header: readonly string[]): string {
  const lines = ['# yaml-language-server: $schema=values.schema.json', ...header.map((h) => `# ${h}`), ''];
  for (const [key, child] of Object.entries(root.children)) {
    lines.push(...nodeLines(key, child, ''));
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

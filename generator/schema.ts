/** Model → chart/values.schema.json (JSON Schema draft-07, strict). */
import type { Group, JsonSchema, Leaf, ValueNode } from './model/types.js';
import { isGroup } from './model/types.js';

function leafSchema(leaf: Leaf): JsonSchema {
  const s: Record<string, unknown> = { description: leaf.description };
  switch (leaf.kind) {
    case 'string':
      s.type = 'string';
      if (leaf.enum) s.enum = [...leaf.enum];
      if (leaf.pattern !== undefined) s.pattern = leaf.pattern;
      if (leaf.minLength !== undefined) s.minLength = leaf.minLength;
      if (leaf.maxLength !== undefined) s.maxLength = leaf.maxLength;
      break;
    case 'integer':
      s.type = 'integer';
      if (leaf.minimum !== undefined) s.minimum = leaf.minimum;
      if (leaf.maximum !== undefined) s.maximum = leaf.maximum;
      break;
    case 'number':
      s.type = 'number';
      if (leaf.minimum !== undefined) s.minimum = leaf.minimum;
      if (leaf.exclusiveMinimum !== undefined) s.exclusiveMinimum = leaf.exclusiveMinimum;
      if (leaf.maximum !== undefined) s.maximum = leaf.maximum;
      break;
    case 'boolean':
      s.type = 'boolean';
      break;
    case 'array':
      s.type = 'array';
      s.items = leaf.items;
      if (leaf.minItems !== undefined) s.minItems = leaf.minItems;
      if (leaf.maxItems !== undefined) s.maxItems = leaf.maxItems;
      break;
    case 'object':
      s.type = 'object';
      break;
  }
  Object.assign(s, leaf.schema ?? {});
  if (leaf.nullable === true && typeof s.type === 'string') s.type = [s.type, 'null'];
  s.default = leaf.default;
  return s;
}

function groupSchema(g: Group): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [key, child] of Object.entries(g.children)) properties[key] = nodeSchema(child);
  return {
    type: 'object',
    description: g.description,
    additionalProperties: false,
    required: Object.keys(g.children),
    properties,
  };
}

export function nodeSchema(node: ValueNode): JsonSchema {
  return isGroup(node) ? groupSchema(node) : leafSchema(node);
}

export function toSchema(root: Group, title: string): JsonSchema {
  return { $schema: 'http://json-schema.org/draft-07/schema#', title, ...groupSchema(root) };
}

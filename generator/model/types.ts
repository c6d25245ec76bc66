/**
 * The values model: a typed tree. Groups become nested YAML maps (and `additionalProperties: false`
 * objects in the schema); leaves carry a type, a default, a description and constraints.
 */

/** A JSON Schema fragment (draft-07). Kept structural so builders can compose it freely. */
export interface JsonSchema {
  readonly [key: string]: unknown;
}

interface LeafBase<K extends string, D> {
  readonly kind: K;
  readonly default: D;
  readonly description: string;
  /** Extra schema keywords merged into the generated property schema. */
  readonly schema?: JsonSchema;
  /** Accept `null` as well (rendered as `~` in values.yaml). */
  readonly nullable?: boolean;
}

export interface StringLeaf extends LeafBase<'string', string> {
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Marks a value that must never be committed with a real secret (README flags it). */
  readonly secret?: boolean;
}

export interface IntegerLeaf extends LeafBase<'integer', number> {
  readonly minimum?: number;
  readonly maximum?: number;
}

/** A number that may have a fraction (rates, fractional seconds). */
export interface NumberLeaf extends LeafBase<'number', number> {
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
}

export interface BooleanLeaf extends LeafBase<'boolean', boolean> {}

export interface ArrayLeaf extends LeafBase<'array', readonly unknown[]> {
  readonly items: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** A map whose keys are not known in advance (labels, resources, free-form config). */
export interface ObjectLeaf extends LeafBase<'object', Readonly<Record<string, unknown>>> {}

export type Leaf = StringLeaf | IntegerLeaf | NumberLeaf | BooleanLeaf | ArrayLeaf | ObjectLeaf;

export interface Group {
  readonly kind: 'group';
  readonly description: string;
  readonly children: Readonly<Record<string, ValueNode>>;
  /** Title of the README parameters section this group starts (top-level groups). */
  readonly title?: string;
}

export type ValueNode = Group | Leaf;

/** One leaf with its dotted path, as walked by the emitters. */
export interface LeafEntry {
  readonly path: readonly string[];
  readonly leaf: Leaf;
}

export function isGroup(node: ValueNode): node is Group {
  return node.kind === 'group';
}

/** Depth-first walk over every leaf, in declaration order. */
export function leaves(node: ValueNode, prefix: readonly string[] = []): LeafEntry[] {
  if (!isGroup(node)) return [{ path: prefix, leaf: node }];
  const out: LeafEntry[] = [];
  for (const [key, child] of Object.entries(node.children)) out.push(...leaves(child, [...prefix, key]));
  return out;
}

/** The default values object the model describes. */
export function defaults(node: ValueNode): unknown {
  if (!isGroup(node)) return structuredClone(node.default);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.children)) out[key] = defaults(child);
  return out;
}

/** Finds the node at a path, or undefined when the model does not declare it. */
export function nodeAt(root: ValueNode, path: readonly string[]): ValueNode | undefined {
  let node: ValueNode | undefined = root;
  for (const key of path) {
    if (node === undefined || !isGroup(node)) return undefined;
    node = node.children[key];
  }
  return node;
}

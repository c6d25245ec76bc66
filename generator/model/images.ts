/** The image blocks of the model (`image()` in workload.ts), found by their shape. */
import type { Group, ValueNode } from './types.js';
import { isGroup } from './types.js';

export interface ImageBlock {
  /** Dotted values path of the block, e.g. `sandbox.agent.image`. */
  readonly path: string;
  readonly group: Group;
  /** No default image (empty repository): the feature is off until one is given. */
  readonly optional: boolean;
}

/** Every group with `repository`, `tag` and `digest` leaves, in model order. */
export function imageBlocks(node: ValueNode, path: readonly string[] = []): ImageBlock[] {
  if (!isGroup(node)) return [];
  if ('repository' in node.children && 'tag' in node.children && 'digest' in node.children) {
    const repository = node.children.repository;
    return [{ path: path.join('.'), group: node, optional: repository?.kind === 'string' && repository.default === '' }];
  }
  return Object.entries(node.children).flatMap(([k, c]) => imageBlocks(c, [...path, k]));
}

/** The default reference of an image block: `registry/repository:tag[@digest]`. */
export function defaultReference(block: ImageBlock): string {
  const leaf = (key: string): string => {
    const n = block.group.children[key];
    return n !== undefined && n.kind === 'string' ? n.default : '';
  };
  const registry = leaf('registry');
  const digest = leaf('digest');
  return `${registry !== '' ? `${registry}/` : ''}${leaf('repository')}:${leaf('tag')}${digest !== '' ? `@${digest}` : ''}`;
}

/** The images the chart runs by default (optional ones have none until a user sets them). */
export function defaultImageBlocks(node: ValueNode): ImageBlock[] {
  return imageBlocks(node).filter((b) => !b.optional);
}

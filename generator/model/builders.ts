/** Terse constructors for model nodes; every module builds its values subtree with these. */
import type {
  ArrayLeaf, BooleanLeaf, Group, IntegerLeaf, JsonSchema, ObjectLeaf, StringLeaf, ValueNode,
} from './types.js';

type Opts<T> = Omit<T, 'kind' | 'default' | 'description'>;

export function str(def: string, description: string, opts: Opts<StringLeaf> = {}): StringLeaf {
  return { kind: 'string', default: def, description, ...opts };
}

export function enumOf<const T extends readonly string[]>(values: T, def: T[number], description: string): StringLeaf {
  return { kind: 'string', default: def, description, enum: values };
}

export function int(def: number, description: string, opts: Opts<IntegerLeaf> = {}): IntegerLeaf {
  return { kind: 'integer', default: def, description, ...opts };
}

export function bool(def: boolean, description: string, opts: Opts<BooleanLeaf> = {}): BooleanLeaf {
  return { kind: 'boolean', default: def, description, ...opts };
}

export function arr(def: readonly unknown[], description: string, items: JsonSchema, opts: Omit<Opts<ArrayLeaf>, 'items'> = {}): ArrayLeaf {
  return { kind: 'array', default: def, description, items, ...opts };
}

export function obj(def: Readonly<Record<string, unknown>>, description: string, schema?: JsonSchema): ObjectLeaf {
  return schema === undefined
    ? { kind: 'object', default: def, description }
    : { kind: 'object', default: def, description, schema };
}

export function group(description: string, children: Record<string, ValueNode>, title?: string): Group {
  return title === undefined
    ? { kind: 'group', description, children }
    : { kind: 'group', description, children, title };
}

/** Common patterns reused by several modules. */
export const patterns = {
  /** DNS-1123 label (names of Secrets, PVCs, ServiceAccounts, PriorityClasses...). */
  dnsLabel: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$',
  /** DNS-1123 subdomain, or empty. */
  dnsSubdomain: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$',
  /** sha256 digest or empty. */
  digest: '^(sha256:[a-f0-9]{64})?$',
  /** Environment variable name. */
  envName: '^[A-Za-z_][A-Za-z0-9_]*$',
  /** nginx size (client_max_body_size): 20m, 100M, 1g. */
  nginxSize: '^[0-9]+[kKmMgG]?$',
  /** Absolute POSIX path. */
  absPath: '^/.*$',
} as const;

/**
 * cert-manager-style consistency checks between the model and the generated templates: every
 * `.Values.x.y` path a template reads must be declared, and every declared leaf must really be
 * read by at least one template.
 *
 * "Really read" is decided by a small symbolic evaluation of the Go templates, not by a regex:
 *
 * - comments (`{{/* ... *\/}}`) are removed first, and raw text outside actions is never scanned;
 * - a reference to a leaf (`.Values.gateway.workers`) reads that leaf; indexing into a free-form
 *   `object` leaf (`.Values.gateway.resources.limits`) reads the object leaf;
 * - a reference to a group reads nothing by itself. Groups are passed to helpers
 *   (`include "deerflow.autoscaling.validate" (dict "autoscaling" .Values.gateway.autoscaling)`),
 *   and the scanner follows the argument into the helper: only the paths the helper dereferences
 *   (`.autoscaling.hpa.enabled`, through `$a := .autoscaling` aliases and nested includes) count;
 * - a group counts as read as a whole only when it reaches one of {@link WHOLE_GROUP_READERS}
 *   (`toYaml .Values.gateway.startupProbe` renders every leaf into the manifest); `omit X "k"`
 *   removes `k` from such a whole read;
 * - nothing inside a pipeline that ends in a hash ({@link HASH_FUNCTIONS}, the checksum
 *   annotations) counts: hashing a value is not using it.
 */
import type { ValueNode } from './model/types.js';
import { isGroup, leaves } from './model/types.js';

/** Functions that render every leaf of their argument into the output: the only whole-group reads. */
export const WHOLE_GROUP_READERS: readonly string[] = ['toYaml', 'toJson', 'toPrettyJson', 'toRawJson'];

/** Pipelines that end in one of these only fingerprint their input (checksum annotations). */
export const HASH_FUNCTIONS: readonly string[] = ['sha256sum', 'sha1sum', 'adler32sum'];

// ---------------------------------------------------------------------------------------------
// Lexing: actions and their tokens.

interface Action {
  readonly text: string;
  readonly line: number;
}

/** The actions of a template (comments dropped), with their line numbers. */
export function actions(source: string, file = 'template'): Action[] {
  const out: Action[] = [];
  let i = 0;
  let line = 1;
  const count = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (source[k] === '\n') line++;
  };
  for (;;) {
    const open = source.indexOf('{{', i);
    if (open < 0) break;
    count(i, open);
    let j = open + 2;
    let quote: string | undefined;
    for (; j < source.length; j++) {
      const c = source[j];
      if (quote !== undefined) {
        if (c === '\\' && quote === '"') j++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === '`' || c === "'") quote = c;
      else if (c === '/' && source[j + 1] === '*') {
        const close = source.indexOf('*/', j + 2);
        if (close < 0) throw new Error(`${file}:${line}: unterminated comment`);
        j = close + 1;
      } else if (c === '}' && source[j + 1] === '}') break;
    }
    if (j >= source.length) throw new Error(`${file}:${line}: unterminated action`);
    let text = source.slice(open + 2, j);
    if (text.startsWith('-') && /^-\s/.test(text)) text = text.slice(1);
    if (/\s-$/.test(text)) text = text.slice(0, -1);
    text = text.trim();
    if (!(text.startsWith('/*') && text.endsWith('*/'))) out.push({ text, line });
    count(open, j + 2);
    i = j + 2;
  }
  return out;
}

type Token =
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'num' }
  | { readonly t: 'field'; readonly v: readonly string[] }
  | { readonly t: 'var'; readonly name: string; readonly v: readonly string[] }
  | { readonly t: 'ident'; readonly v: string }
  | { readonly t: 'punct'; readonly v: '(' | ')' | '|' | ',' | ':=' | '=' }
  | { readonly t: 'chain'; readonly v: readonly string[] };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELDS = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/;

function tokenize(text: string, where: string): Token[] {
  const out: Token[] = [];
  let s = text;
  while (s.length > 0) {
    const ws = /^\s+/.exec(s);
    if (ws !== null) {
      s = s.slice(ws[0].length);
      continue;
    }
    const c = s[0] as string;
    const prev = out[out.length - 1];
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(s);
      if (m === null) throw new Error(`${where}: bad string in {{ ${text} }}`);
      out.push({ t: 'str', v: JSON.parse(m[0]) as string });
      s = s.slice(m[0].length);
    } else if (c === '`') {
      const end = s.indexOf('`', 1);
      out.push({ t: 'str', v: s.slice(1, end) });
      s = s.slice(end + 1);
    } else if (c === "'") {
      const m = /^'(?:[^'\\]|\\.)+'/.exec(s);
      if (m === null) throw new Error(`${where}: bad char literal in {{ ${text} }}`);
      out.push({ t: 'num' });
      s = s.slice(m[0].length);
    } else if (/^-?[0-9]/.test(s)) {
      const m = /^-?[0-9][0-9a-fA-FxX._+-]*/.exec(s) as RegExpExecArray;
      out.push({ t: 'num' });
      s = s.slice(m[0].length);
    } else if (s.startsWith(':=')) {
      out.push({ t: 'punct', v: ':=' });
      s = s.slice(2);
    } else if (c === '(' || c === ')' || c === '|' || c === ',' || c === '=') {
      out.push({ t: 'punct', v: c });
      s = s.slice(1);
    } else if (c === '$') {
      const name = /^\$[A-Za-z0-9_]*/.exec(s)?.[0] as string;
      s = s.slice(name.length);
      const f = FIELDS.exec(s);
      out.push({ t: 'var', name, v: f === null ? [] : f[0].slice(1).split('.') });
      if (f !== null) s = s.slice(f[0].length);
    } else if (c === '.') {
      const f = FIELDS.exec(s);
      // `(...).x`: a field chain glued to a closing parenthesis applies to its value.
      const glued = prev !== undefined && prev.t === 'punct' && prev.v === ')' && !/\s$/.test(text.slice(0, text.length - s.length));
      if (f === null) {
        out.push({ t: 'field', v: [] });
        s = s.slice(1);
      } else {
        const path = f[0].slice(1).split('.');
        out.push(glued ? { t: 'chain', v: path } : { t: 'field', v: path });
        s = s.slice(f[0].length);
      }
    } else {
      const m = IDENT.exec(s);
      if (m === null) throw new Error(`${where}: unexpected "${c}" in {{ ${text} }}`);
      out.push({ t: 'ident', v: m[0] });
      s = s.slice(m[0].length);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing: pipelines of commands of operands.

type Operand =
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'lit' }
  | { readonly k: 'field'; readonly path: readonly string[] }
  | { readonly k: 'var'; readonly name: string; readonly path: readonly string[] }
  | { readonly k: 'ident'; readonly name: string }
  | { readonly k: 'sub'; readonly pipe: Pipeline; readonly path: readonly string[] };

interface Pipeline {
  readonly decl?: { readonly vars: readonly string[]; readonly assign: boolean };
  readonly cmds: readonly (readonly Operand[])[];
}

class Parser {
  private i = 0;
  constructor(private readonly toks: readonly Token[], private readonly where: string) {}

  private peek(): Token | undefined {
    return this.toks[this.i];
  }

  done(): boolean {
    return this.i >= this.toks.length;
  }

  pipeline(): Pipeline {
    let decl: Pipeline['decl'];
    const save = this.i;
    const vars: string[] = [];
    while (this.peek()?.t === 'var') {
      const v = this.peek() as Extract<Token, { t: 'var' }>;
      if (v.v.length > 0) break;
      vars.push(v.name);
      this.i++;
      const p = this.peek();
      if (p?.t === 'punct' && p.v === ',') {
        this.i++;
        continue;
      }
      if (p?.t === 'punct' && (p.v === ':=' || p.v === '=')) {
        this.i++;
        decl = { vars, assign: p.v === '=' };
      }
      break;
    }
    if (decl === undefined) this.i = save;
    const cmds: Operand[][] = [this.command()];
    while (this.peek()?.t === 'punct' && (this.peek() as { v: string }).v === '|') {
      this.i++;
      cmds.push(this.command());
    }
    return decl === undefined ? { cmds } : { decl, cmds };
  }

  private command(): Operand[] {
    const ops: Operand[] = [];
    for (;;) {
      const p = this.peek();
      if (p === undefined || (p.t === 'punct' && (p.v === ')' || p.v === '|'))) break;
      ops.push(this.operand());
    }
    if (ops.length === 0) throw new Error(`${this.where}: empty command`);
    return ops;
  }

  private operand(): Operand {
    const tok = this.toks[this.i++] as Token;
    switch (tok.t) {
      case 'str': return { k: 'str', v: tok.v };
      case 'num': return { k: 'lit' };
      case 'field': return { k: 'field', path: tok.v };
      case 'var': return { k: 'var', name: tok.name, path: tok.v };
      case 'ident': return tok.v === 'true' || tok.v === 'false' || tok.v === 'nil' ? { k: 'lit' } : { k: 'ident', name: tok.v };
      case 'punct': {
        if (tok.v !== '(') throw new Error(`${this.where}: unexpected "${tok.v}"`);
        const pipe = this.pipeline();
        const close = this.toks[this.i++];
        if (close?.t !== 'punct' || close.v !== ')') throw new Error(`${this.where}: missing ")"`);
        const next = this.peek();
        if (next?.t === 'chain') {
          this.i++;
          return { k: 'sub', pipe, path: next.v };
        }
        return { k: 'sub', pipe, path: [] };
      }
      case 'chain': throw new Error(`${this.where}: stray field chain`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Symbolic values.

/** A path into the root context (`.Values...`) or into a helper's argument. */
interface Ref {
  readonly k: 'ref';
  readonly base: 'root' | 'param';
  readonly path: readonly string[];
  /** Files that wrote a segment of the values path (for the README's "Read by"). */
  readonly files: readonly string[];
  /** Direct children dropped by `omit`. */
  readonly except: readonly string[];
}

type Atom = Ref | { readonly k: 'dict'; readonly entries: ReadonlyMap<string, Val> } | { readonly k: 'list'; readonly items: readonly Val[] } | { readonly k: 'str'; readonly v: string };
type Val = readonly Atom[];

const NONE: Val = [];

function extend(val: Val, path: readonly string[], file: string): Val {
  if (path.length === 0) return val;
  const out: Atom[] = [];
  for (const a of val) {
    if (a.k === 'ref') {
      const next = [...a.path, ...path];
      out.push({ ...a, path: next, except: [], files: next.includes('Values') ? [...new Set([...a.files, file])] : a.files });
    } else if (a.k === 'dict') {
      const entry = a.entries.get(path[0] as string);
      if (entry !== undefined) out.push(...extend(entry, path.slice(1), file));
    }
  }
  return out;
}

/** A read: a path with whether it is read as a whole (rendered) or only dereferenced. */
interface Read {
  readonly ref: Ref;
  readonly whole: boolean;
  readonly file: string;
}

interface Helper {
  readonly name: string;
  readonly file: string;
  readonly body: readonly Action[];
}

interface Scope {
  dot: Val;
  readonly vars: Map<string, Val>;
  readonly kind: 'file' | 'if' | 'with' | 'range' | 'define';
  /** Dot outside a `with`/`range`, restored by `else`. */
  readonly outerDot: Val;
}

const PASSTHROUGH = new Set(['default', 'coalesce', 'deepCopy', 'mustDeepCopy', 'required', 'merge', 'mergeOverwrite', 'mustMerge', 'mustMergeOverwrite']);

class Evaluator {
  private readonly summaries = new Map<string, Read[]>();
  private readonly inProgress = new Set<string>();

  constructor(private readonly helpers: ReadonlyMap<string, Helper>) {}

  /** Reads of a helper body relative to its argument (`param`) or to absolute roots it was given. */
  summary(name: string): readonly Read[] {
    const cached = this.summaries.get(name);
    if (cached !== undefined) return cached;
    const h = this.helpers.get(name);
    if (h === undefined || this.inProgress.has(name)) return [];
    this.inProgress.add(name);
    const param: Val = [{ k: 'ref', base: 'param', path: [], files: [], except: [] }];
    const reads: Read[] = [];
    this.run(h.body, h.file, param, (r) => reads.push(r));
    this.inProgress.delete(name);
    this.summaries.set(name, reads);
    return reads;
  }

  /** Evaluates a list of actions with the given dot (and `$`). */
  run(body: readonly Action[], file: string, dot: Val, emit: (r: Read) => void): void {
    const stack: Scope[] = [{ dot, vars: new Map([['$', dot]]), kind: 'file', outerDot: dot }];
    const top = (): Scope => stack[stack.length - 1] as Scope;
    let skipDepth = 0; // inside a nested define (helpers are evaluated on include)
    const ctx: Ctx = { file, emit, stack, hash: 0 };
    for (const a of body) {
      const where = `${file}:${a.line}`;
      const toks = tokenize(a.text, where);
      const head = toks[0];
      const kw = head?.t === 'ident' ? head.v : undefined;
      if (skipDepth > 0) {
        if (kw === 'define' || kw === 'if' || kw === 'range' || kw === 'with' || kw === 'block') skipDepth++;
        else if (kw === 'end') skipDepth--;
        continue;
      }
      const rest = (n: number): Parser => new Parser(toks.slice(n), where);
      switch (kw) {
        case 'define':
          skipDepth = 1;
          break;
        case 'end':
          if (stack.length > 1) stack.pop();
          break;
        case 'else': {
          const scope = stack.pop() as Scope;
          const second = toks[1];
          if (second?.t === 'ident' && (second.v === 'if' || second.v === 'with')) {
            const val = this.pipe(rest(2).pipeline(), scope.outerDot, ctx);
            this.consume(val, false, ctx);
            stack.push({ dot: second.v === 'with' ? val : scope.outerDot, vars: new Map(), kind: second.v, outerDot: scope.outerDot });
          } else {
            stack.push({ dot: scope.outerDot, vars: new Map(), kind: scope.kind, outerDot: scope.outerDot });
          }
          break;
        }
        case 'if':
        case 'with':
        case 'range': {
          const p = rest(1).pipeline();
          const outer = top().dot;
          const scope: Scope = { dot: outer, vars: new Map(), kind: kw, outerDot: outer };
          if (kw === 'range' && p.decl !== undefined) {
            const val = this.pipe({ cmds: p.cmds }, outer, ctx);
            this.consume(val, false, ctx);
            for (const v of p.decl.vars) scope.vars.set(v, NONE);
            scope.dot = NONE;
          } else {
            const val = this.pipe(p, outer, ctx);
            this.consume(val, false, ctx);
            if (kw === 'with') scope.dot = val;
            if (kw === 'range') scope.dot = NONE;
          }
          stack.push(scope);
          break;
        }
        case 'template': {
          const p = rest(1).pipeline();
          const [nameOp, argOp] = p.cmds[0] ?? [];
          if (nameOp?.k === 'str') this.include(nameOp.v, argOp === undefined ? NONE : this.operand(argOp, top().dot, ctx), ctx);
          break;
        }
        case 'break':
        case 'continue':
          break;
        default: {
          const p = rest(0).pipeline();
          const val = this.pipe(p, top().dot, ctx);
          if (p.decl === undefined) this.consume(val, false, ctx);
        }
      }
    }
  }

  private lookupVar(name: string, ctx: Ctx): Val {
    for (let i = ctx.stack.length - 1; i >= 0; i--) {
      const v = (ctx.stack[i] as Scope).vars.get(name);
      if (v !== undefined) return v;
    }
    return NONE;
  }

  private assignVar(name: string, val: Val, assign: boolean, ctx: Ctx): void {
    if (assign) {
      for (let i = ctx.stack.length - 1; i >= 0; i--) {
        const scope = ctx.stack[i] as Scope;
        const old = scope.vars.get(name);
        if (old !== undefined) {
          scope.vars.set(name, [...old, ...val]);
          return;
        }
      }
    }
    (ctx.stack[ctx.stack.length - 1] as Scope).vars.set(name, val);
  }

  private pipe(p: Pipeline, dot: Val, ctx: Ctx): Val {
    const hashed = p.cmds.some((c) => c[0]?.k === 'ident' && HASH_FUNCTIONS.includes(c[0].name));
    if (hashed) ctx.hash++;
    let piped: Val | undefined;
    for (const cmd of p.cmds) piped = this.command(cmd, piped, dot, ctx);
    if (hashed) ctx.hash--;
    const val = piped ?? NONE;
    if (p.decl !== undefined) for (const v of p.decl.vars) this.assignVar(v, val, p.decl.assign, ctx);
    return val;
  }

  private operand(op: Operand, dot: Val, ctx: Ctx): Val {
    switch (op.k) {
      case 'str': return [{ k: 'str', v: op.v }];
      case 'lit': return NONE;
      case 'ident': return this.call(op.name, [], ctx);
      case 'field': return extend(dot, op.path, ctx.file);
      case 'var': return extend(this.lookupVar(op.name, ctx), op.path, ctx.file);
      case 'sub': return extend(this.pipe(op.pipe, dot, ctx), op.path, ctx.file);
    }
  }

  private command(cmd: readonly Operand[], piped: Val | undefined, dot: Val, ctx: Ctx): Val {
    const [head, ...rest] = cmd;
    if (head === undefined) return NONE;
    if (head.k === 'ident') {
      const args = rest.map((o) => ({ op: o, val: this.operand(o, dot, ctx) }));
      if (piped !== undefined) args.push({ op: { k: 'lit' }, val: piped });
      return this.call(head.name, args, ctx);
    }
    const val = this.operand(head, dot, ctx);
    if (rest.length > 0) {
      // A method call such as `.Files.Get "x"`: its arguments are used.
      for (const o of rest) this.consume(this.operand(o, dot, ctx), false, ctx);
      return NONE;
    }
    return val;
  }

  private call(name: string, args: readonly { op: Operand; val: Val }[], ctx: Ctx): Val {
    const vals = args.map((a) => a.val);
    const strOf = (i: number): string | undefined => {
      const op = args[i]?.op;
      return op?.k === 'str' ? op.v : undefined;
    };
    if (name === 'include') {
      const helper = strOf(0);
      if (helper !== undefined) this.include(helper, vals[1] ?? NONE, ctx);
      else for (const v of vals) this.consume(v, false, ctx);
      return NONE;
    }
    if (WHOLE_GROUP_READERS.includes(name)) {
      for (const v of vals) this.consume(v, true, ctx);
      return NONE;
    }
    if (PASSTHROUGH.has(name)) return vals.flat();
    switch (name) {
      case 'dict': {
        const entries = new Map<string, Val>();
        for (let i = 0; i + 1 < args.length; i += 2) {
          const key = strOf(i);
          if (key === undefined) this.consume(vals[i + 1] ?? NONE, false, ctx);
          else entries.set(key, vals[i + 1] ?? NONE);
        }
        return [{ k: 'dict', entries }];
      }
      case 'list':
        return [{ k: 'list', items: vals }];
      case 'concat':
        return [{ k: 'list', items: vals.flatMap((v) => v.flatMap((a) => (a.k === 'list' ? a.items : [[a]]))) }];
      case 'ternary':
        this.consume(vals[2] ?? NONE, false, ctx);
        return [...(vals[0] ?? NONE), ...(vals[1] ?? NONE)];
      case 'omit': {
        const keys = args.slice(1).map((_, i) => strOf(i + 1)).filter((k): k is string => k !== undefined);
        return (vals[0] ?? NONE).map((a) => (a.k === 'ref' ? { ...a, except: [...a.except, ...keys] } : a));
      }
      case 'get':
      case 'index':
      case 'hasKey': {
        const key = strOf(1);
        const target = vals[0] ?? NONE;
        const numeric = args[1]?.op.k === 'lit';
        if (key !== undefined || numeric) {
          const picked = key !== undefined
            ? extend(target, [key], ctx.file)
            : target.flatMap((a) => (a.k === 'list' ? a.items.flat() : a.k === 'ref' ? [a] : []));
          if (name === 'hasKey') {
            this.consume(picked, false, ctx);
            return NONE;
          }
          return picked;
        }
        for (const v of vals) this.consume(v, false, ctx);
        return NONE;
      }
      default:
        for (const v of vals) this.consume(v, false, ctx);
        return NONE;
    }
  }

  private include(name: string, arg: Val, ctx: Ctx): void {
    for (const r of this.summary(name)) {
      const h = this.helpers.get(name) as Helper;
      const resolved = r.ref.base === 'param' ? extend(arg, r.ref.path, h.file) : [r.ref];
      const withFiles = resolved.map((a) => (a.k === 'ref' && a.path.includes('Values') ? { ...a, files: [...new Set([...a.files, ...r.ref.files])], except: r.ref.except } : a));
      this.consume(withFiles, r.whole, ctx, r.file);
    }
  }

  private consume(val: Val, whole: boolean, ctx: Ctx, file: string = ctx.file): void {
    if (ctx.hash > 0) return;
    for (const a of val) {
      if (a.k === 'ref') ctx.emit({ ref: a, whole, file });
      else if (a.k === 'dict') for (const v of a.entries.values()) this.consume(v, whole, ctx, file);
      else if (a.k === 'list') for (const v of a.items) this.consume(v, whole, ctx, file);
    }
  }
}

interface Ctx {
  readonly file: string;
  readonly emit: (r: Read) => void;
  readonly stack: Scope[];
  hash: number;
}

/** Splits files into their top-level actions and the named helpers they define. */
function split(templates: ReadonlyMap<string, string>): { tops: Map<string, Action[]>; helpers: Map<string, Helper> } {
  const tops = new Map<string, Action[]>();
  const helpers = new Map<string, Helper>();
  for (const [file, text] of templates) {
    const top: Action[] = [];
    let current: { name: string; body: Action[]; depth: number } | undefined;
    for (const a of actions(text, file)) {
      const kw = /^([A-Za-z]+)/.exec(a.text)?.[1];
      if (current === undefined) {
        const def = /^define\s+"([^"]+)"$/.exec(a.text);
        if (def !== null) current = { name: def[1] as string, body: [], depth: 1 };
        else top.push(a);
        continue;
      }
      if (kw === 'if' || kw === 'range' || kw === 'with' || kw === 'define' || kw === 'block') current.depth++;
      if (kw === 'end' && --current.depth === 0) {
        if (helpers.has(current.name)) throw new Error(`${file}: helper "${current.name}" is defined twice`);
        helpers.set(current.name, { name: current.name, file, body: current.body });
        current = undefined;
        continue;
      }
      current.body.push(a);
    }
    if (current !== undefined) throw new Error(`${file}: define "${current.name}" has no end`);
    tops.set(file, top);
  }
  return { tops, helpers };
}

// ---------------------------------------------------------------------------------------------
// Against the model.

export interface ScanResult {
  /** `template: path` for every reference the model does not declare. */
  readonly undeclared: string[];
  /** Declared leaf paths no template reads. */
  readonly unused: string[];
  /** For each leaf path, the files that read it (the template and the helpers the value went through). */
  readonly readers: ReadonlyMap<string, readonly string[]>;
}

export function scan(root: ValueNode, templates: ReadonlyMap<string, string>): ScanResult {
  const { tops, helpers } = split(templates);
  const evaluator = new Evaluator(helpers);
  const undeclared = new Set<string>();
  const readers = new Map<string, string[]>();
  for (const { path } of leaves(root)) readers.set(path.join('.'), []);

  const mark = (leafPath: string, files: readonly string[]): void => {
    const list = readers.get(leafPath);
    if (list === undefined) return;
    for (const f of files) if (!list.includes(f)) list.push(f);
  };

  const record = (r: Read): void => {
    const { ref } = r;
    if (ref.base !== 'root' || ref.path[0] !== 'Values') return;
    const path = ref.path.slice(1);
    if (path.length === 0) return;
    const files = [...new Set([...ref.files, r.file])];
    let node: ValueNode = root;
    for (let i = 0; i < path.length; i++) {
      if (!isGroup(node)) {
        if (node.kind === 'object') break; // free-form maps may be indexed
        undeclared.add(`${files.join(', ')}: .Values.${path.join('.')}`);
        return;
      }
      const child: ValueNode | undefined = node.children[path[i] as string];
      if (child === undefined) {
        undeclared.add(`${files.join(', ')}: .Values.${path.join('.')}`);
        return;
      }
      node = child;
    }
    if (!isGroup(node)) {
      const depth = Math.min(path.length, leafDepth(root, path));
      mark(path.slice(0, depth).join('.'), files);
      return;
    }
    if (!r.whole) return;
    const prefix = path.join('.');
    for (const [key, child] of Object.entries(node.children)) {
      if (ref.except.includes(key)) continue;
      for (const l of leaves(child, [key])) mark(`${prefix}.${l.path.join('.')}`, files);
    }
  };

  for (const [file, body] of tops) evaluator.run(body, file, [{ k: 'ref', base: 'root', path: [], files: [], except: [] }], record);
  const all = [...readers.keys()];
  const unused = all.filter((p) => (readers.get(p) ?? []).length === 0);
  return { undeclared: [...undeclared].sort(), unused, readers };
}

/** Length of the prefix of `path` that ends at a leaf. */
function leafDepth(root: ValueNode, path: readonly string[]): number {
  let node: ValueNode = root;
  for (let i = 0; i < path.length; i++) {
    if (!isGroup(node)) return i;
    node = node.children[path[i] as string] as ValueNode;
  }
  return path.length;
}

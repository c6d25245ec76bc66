// Request-body validation with FastAPI/pydantic v2 semantics: same accept/reject decisions as the
// upstream `CreateSandboxRequest`, same 422 `detail` list shape, plus our one deliberate addition
// (sandbox_id must be a usable Kubernetes name, checked before any API call).

import { MAX_SANDBOX_ID_LENGTH, SANDBOX_ID_PATTERN, isValidSandboxId } from './naming.js';

export interface ExtraMount {
  host_path: string;
  container_path: string;
  read_only: boolean;
}

export interface CreateSandboxRequest {
  sandbox_id: string;
  thread_id: string | null;
  user_id: string;
  extra_mounts: ExtraMount[];
  include_legacy_skills: boolean;
  provision_lark_cli_runtime: boolean;
  provision_lark_cli_broker: boolean;
}

export interface PydanticError {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

export const THREAD_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const USER_ID_PATTERN = '^[A-Za-z0-9_\\-]+$';
const THREAD_ID_RE = new RegExp(THREAD_ID_PATTERN);
const USER_ID_RE = new RegExp(USER_ID_PATTERN);

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: PydanticError[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const TRUE_STRINGS = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_STRINGS = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

/** pydantic v2 lax bool. */
function parseBool(v: unknown, loc: (string | number)[], errors: PydanticError[]): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (v === 1) return true;
    if (v === 0) return false;
    errors.push({ type: 'bool_parsing', loc, msg: 'Input should be a valid boolean, unable to interpret input', input: v });
    return false;
  }
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (TRUE_STRINGS.has(s)) return true;
    if (FALSE_STRINGS.has(s)) return false;
    errors.push({ type: 'bool_parsing', loc, msg: 'Input should be a valid boolean, unable to interpret input', input: v });
    return false;
  }
  errors.push({ type: 'bool_type', loc, msg: 'Input should be a valid boolean', input: v });
  return false;
}

function parseString(v: unknown, loc: (string | number)[], errors: PydanticError[]): string | undefined {
  if (typeof v === 'string') return v;
  errors.push({ type: 'string_type', loc, msg: 'Input should be a valid string', input: v });
  return undefined;
}

function patternError(loc: (string | number)[], pattern: string, input: string): PydanticError {
  return { type: 'string_pattern_mismatch', loc, msg: `String should match pattern '${pattern}'`, input, ctx: { pattern } };
}

function parseExtraMount(v: unknown, loc: (string | number)[], errors: PydanticError[]): ExtraMount | undefined {
  if (!isObject(v)) {
    errors.push({ type: 'model_attributes_type', loc, msg: 'Input should be a valid dictionary or object to extract fields from', input: v });
    return undefined;
  }
  const before = errors.length;
  let hostPath: string | undefined;
  let containerPath: string | undefined;
  if (!('host_path' in v)) errors.push({ type: 'missing', loc: [...loc, 'host_path'], msg: 'Field required', input: v });
  else hostPath = parseString(v['host_path'], [...loc, 'host_path'], errors);
  if (!('container_path' in v)) errors.push({ type: 'missing', loc: [...loc, 'container_path'], msg: 'Field required', input: v });
  else containerPath = parseString(v['container_path'], [...loc, 'container_path'], errors);
  const readOnly = 'read_only' in v ? parseBool(v['read_only'], [...loc, 'read_only'], errors) : false;
  if (errors.length !== before || hostPath === undefined || containerPath === undefined) return undefined;
  return { host_path: hostPath, container_path: containerPath, read_only: readOnly };
}

/** Validates an already JSON-decoded body. Unknown keys are ignored, as pydantic does. */
export function parseCreateRequest(body: unknown): ParseResult<CreateSandboxRequest> {
  const errors: PydanticError[] = [];
  if (!isObject(body)) {
    if (body === undefined) return { ok: false, errors: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] };
    return {
      ok: false,
      errors: [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: body }],
    };
  }

  let sandboxId: string | undefined;
  if (!('sandbox_id' in body)) {
    errors.push({ type: 'missing', loc: ['body', 'sandbox_id'], msg: 'Field required', input: body });
  } else {
    sandboxId = parseString(body['sandbox_id'], ['body', 'sandbox_id'], errors);
    if (sandboxId !== undefined && !isValidSandboxId(sandboxId)) {
      if (sandboxId.length > MAX_SANDBOX_ID_LENGTH) {
        errors.push({
          type: 'string_too_long',
          loc: ['body', 'sandbox_id'],
          msg: `String should have at most ${MAX_SANDBOX_ID_LENGTH} characters`,
          input: sandboxId,
          ctx: { max_length: MAX_SANDBOX_ID_LENGTH },
        });
      } else {
        errors.push(patternError(['body', 'sandbox_id'], SANDBOX_ID_PATTERN, sandboxId));
      }
    }
  }

  let threadId: string | null = null;
  if ('thread_id' in body && body['thread_id'] !== null) {
    const t = parseString(body['thread_id'], ['body', 'thread_id'], errors);
    if (t !== undefined) {
      if (THREAD_ID_RE.test(t)) threadId = t;
      else errors.push(patternError(['body', 'thread_id'], THREAD_ID_PATTERN, t));
    }
  }

  let userId = 'default';
  if ('user_id' in body) {
    const u = parseString(body['user_id'], ['body', 'user_id'], errors);
    if (u !== undefined) {
      if (USER_ID_RE.test(u)) userId = u;
      else errors.push(patternError(['body', 'user_id'], USER_ID_PATTERN, u));
    }
  }

  const extraMounts: ExtraMount[] = [];
  if ('extra_mounts' in body) {
    const raw = body['extra_mounts'];
    if (!Array.isArray(raw)) {
      errors.push({ type: 'list_type', loc: ['body', 'extra_mounts'], msg: 'Input should be a valid list', input: raw });
    } else {
      raw.forEach((m, i) => {
        const parsed = parseExtraMount(m, ['body', 'extra_mounts', i], errors);
        if (parsed) extraMounts.push(parsed);
      });
    }
  }

  const flag = (name: string): boolean => (name in body ? parseBool(body[name], ['body', name], errors) : false);
  const includeLegacySkills = flag('include_legacy_skills');
  const provisionLarkCliRuntime = flag('provision_lark_cli_runtime');
  const provisionLarkCliBroker = flag('provision_lark_cli_broker');

  if (errors.length > 0 || sandboxId === undefined) return { ok: false, errors };
  return {
    ok: true,
    value: {
      sandbox_id: sandboxId,
      thread_id: threadId,
      user_id: userId,
      extra_mounts: extraMounts,
      include_legacy_skills: includeLegacySkills,
      provision_lark_cli_runtime: provisionLarkCliRuntime,
      provision_lark_cli_broker: provisionLarkCliBroker,
    },
  };
}

/** FastAPI's 422 for an undecodable JSON body (position is the character offset, as json.loads reports). */
export function jsonDecodeError(raw: string): PydanticError {
  let pos = 0;
  try {
    JSON.parse(raw);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    pos = m ? Number(m[1]) : 0;
  }
  return { type: 'json_invalid', loc: ['body', pos], msg: 'JSON decode error', input: {}, ctx: { error: 'Expecting value' } };
}

/** Deepest JSON nesting a create body may have (a real one has three levels). */
export const MAX_JSON_DEPTH = 32;

/**
 * A 422 entry when `raw` nests arrays/objects deeper than `max`, found by one pass over the text
 * (strings and escapes skipped) before anything parses or echoes it; undefined otherwise.
 */
export function jsonDepthError(raw: string, max: number): PydanticError | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        return { type: 'json_invalid', loc: ['body', i], msg: `JSON nested deeper than ${max} levels`, input: {}, ctx: { error: 'Nesting too deep' } };
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return undefined;
}

/** Reads back the request recorded on a sandbox object (annotation JSON); undefined if unusable. */
export function parseRecordedRequest(raw: string | undefined): CreateSandboxRequest | undefined {
  if (!raw) return undefined;
  try {
    const r = parseCreateRequest(JSON.parse(raw) as unknown);
    return r.ok ? r.value : undefined;
  } catch {
    return undefined;
  }
}

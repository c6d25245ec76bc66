// Seeded invalid requests for the agent's create and get endpoints: malformed JSON, wrong types,
// bad ids, bad mounts, deep nesting. Every one of them must get a 4xx JSON answer and create
// nothing; used by the in-process tests (app.test.ts) and the cluster fuzz (fuzz.cluster.test.ts).

/** Deterministic PRNG (mulberry32) so a failure is reproducible from the seed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BadRequest {
  method: 'POST' | 'GET';
  path: string;
  body?: string;
}

/** `posts` invalid create bodies and `gets` GETs of invalid ids, from `seed`; `/state` is the extra-mount root they assume. */
export function malformedRequests(seed: number, posts = 1000, gets = 200): BadRequest[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const junkString = (): string => {
    const alphabet = 'aZ_.-/ é\u0000{}"\\0123456789';
    return Array.from({ length: 1 + Math.floor(r() * 70) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
  };
  const badId = (): string => pick(['Bad_ID', 'UPPER', 'a.b', '-lead', 'trail-', 'x'.repeat(52), '', ' ', 'ü', '../x', junkString().toUpperCase() + 'A']);
  const validId = (): string => `f${Math.floor(r() * 1e9).toString(16)}`;
  const deep = (n: number, open: string, close: string, inner = ''): string => open.repeat(n) + inner + close.repeat(n);
  const mutations: (() => unknown)[] = [
    () => ({ sandbox_id: badId() }),
    () => ({ sandbox_id: pick([null, 1, true, [], {}]) }),
    () => ({ thread_id: 't' }),
    () => ({ sandbox_id: validId(), thread_id: pick(['', 'a.b', '../e', 'x'.repeat(65), 5, [], junkString() + '/']) }),
    () => ({ sandbox_id: validId(), user_id: pick(['', null, 'a/b', 'a b', 7, {}, junkString() + '!']) }),
    () => ({ sandbox_id: validId(), extra_mounts: pick([null, 'x', 5, {}, [1], [{}], [{ host_path: 1, container_path: '/mnt/acp-workspace' }]]) }),
    () => ({ sandbox_id: validId(), extra_mounts: [{ host_path: pick(['/etc', 'rel', '/stateX/a', '/']), container_path: '/mnt/acp-workspace' }] }),
    () => ({ sandbox_id: validId(), extra_mounts: [{ host_path: '/state/a', container_path: pick(['/mnt/secrets', 'rel', '/', '/mnt/skills']) }] }),
    () => ({ sandbox_id: validId(), include_legacy_skills: pick(['maybe', 2, [], {}, null]) }),
    () => ({ sandbox_id: validId(), provision_lark_cli_broker: pick(['nah', 3.5, null]) }),
    () => pick([[], 'str', 12, null, true]),
    () => `{${junkString()}`,
    // Deep nesting: closed, unclosed, and inside an otherwise valid body (a 500 before the fix).
    () => deep(1000 + Math.floor(r() * 20_000), '[', ']'),
    () => '['.repeat(1000 + Math.floor(r() * 20_000)),
    () => `{"sandbox_id":"${validId()}","junk":${deep(500 + Math.floor(r() * 5000), '{"a":', '}', '1')}}`,
    () => `{"thread_id":${deep(40, '[', ']')}}`,
  ];
  const out: BadRequest[] = [];
  for (let i = 0; i < posts; i++) {
    const m = pick(mutations)();
    out.push({ method: 'POST', path: '/api/sandboxes', body: typeof m === 'string' ? m : JSON.stringify(m) });
  }
  for (let i = 0; i < gets; i++) out.push({ method: 'GET', path: `/api/sandboxes/${encodeURIComponent(badId() || 'zz')}` });
  return out;
}

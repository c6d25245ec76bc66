// The agent's HTTP surface in process (buildApp + fastify inject) with its real SandboxService,
// reaper and watch cache over FakeApi (in-process.ts): routes and response shapes, caps,
// singleflight, readiness waits, the shared destroy path, the reaper's plan and sweep, metrics.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKeyChecker } from '../src/auth.js';
import { watchStatus } from '../src/cache.js';
import { ConfigError, KubeError } from '../src/errors.js';
import { KubeClient } from '../src/kube.js';
import { createMetrics } from '../src/metrics.js';
import { ANN_CREATED_AT, ANN_LAST_TOUCH, ANN_RELEASED_AT, ANN_REQUEST, podName, sandboxLabels, serviceName } from '../src/naming.js';
import type { OwnershipLeases } from '../src/ownership.js';
import { ownerReferenceTo } from '../src/podspec.js';
import { buildApp } from '../src/routes.js';
import { MAX_JSON_DEPTH } from '../src/validation.js';
import { API_KEY, type InProcessAgent, OWNER, inProcessAgent } from './in-process.js';
import { malformedRequests } from './malformed.js';

const agents: InProcessAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.app.close()));
});

async function agent(env: Record<string, string> = {}, leases?: OwnershipLeases): Promise<InProcessAgent> {
  const a = await inProcessAgent(env, leases);
  agents.push(a);
  return a;
}

const HEADLESS = { SANDBOX_SERVICE_TYPE: 'Headless', SANDBOX_AGENT_HEADLESS_SERVICE: 'sbx-dns' };

interface Res {
  status: number;
  body: string;
  json: unknown;
  type: string | undefined;
}

async function call(a: InProcessAgent, method: string, url: string, body?: unknown, headers: Record<string, string> = { 'x-api-key': API_KEY }): Promise<Res> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const r = await a.app.inject({ method: method as 'GET', url, headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(payload !== undefined ? { payload } : {}) });
  let json: unknown;
  try {
    json = JSON.parse(r.body);
  } catch {
    json = undefined;
  }
  const ct = r.headers['content-type'];
  return { status: r.statusCode, body: r.body, json, type: typeof ct === 'string' ? ct : undefined };
}

const create = (a: InProcessAgent, body: Record<string, unknown>, query = ''): Promise<Res> => call(a, 'POST', `/api/sandboxes${query}`, body);

/** A sandbox Pod as the agent records it, with its timestamps set `ageS` seconds ago. */
function recordedPod(id: string, opts: { ageS: number; touchS?: number; releasedS?: number; release?: string; request?: boolean }): V1Pod {
  const at = (s: number): string => new Date(Date.now() - s * 1000).toISOString();
  return {
    metadata: {
      name: podName(id),
      labels: sandboxLabels(id, opts.release ?? 'rel'),
      annotations: {
        [ANN_CREATED_AT]: at(opts.ageS),
        [ANN_LAST_TOUCH]: at(opts.touchS ?? opts.ageS),
        ...(opts.releasedS !== undefined ? { [ANN_RELEASED_AT]: at(opts.releasedS) } : {}),
        ...(opts.request !== false ? { [ANN_REQUEST]: JSON.stringify({ sandbox_id: id, thread_id: null, user_id: 'u', extra_mounts: [], include_legacy_skills: false, provision_lark_cli_runtime: false, provision_lark_cli_broker: false }) } : {}),
      },
    },
    spec: { containers: [{ name: 'sandbox', image: 'img' }] },
  };
}

describe('authentication (upstream middleware)', () => {
  it('answers every /api/* path without a valid key with the bare 12-byte 401', async () => {
    const a = await agent();
    for (const [method, url, headers] of [
      ['GET', '/api/sandboxes', {}],
      ['POST', '/api/sandboxes', { 'x-api-key': 'wrong' }],
      ['GET', '/api/nothing-here', {}],
      ['DELETE', '/api/sandboxes/a', { 'x-api-key': 'k\u00e9y' }],
    ] as const) {
      const r = await call(a, method, url, undefined, headers);
      expect(r.status, `${method} ${url}`).toBe(401);
      expect(r.body).toBe('Unauthorized');
      expect(r.type).toBeUndefined();
    }
    expect(a.api.calls).toEqual([]);
    expect(await a.metrics.registry.getSingleMetricAsString('sandbox_agent_http_requests_total')).toContain('route="/api/sandboxes",method="GET",status="401"} 1');
  });

  it('leaves /health, /readyz and /metrics open', async () => {
    const a = await agent();
    expect(await call(a, 'GET', '/health', undefined, {})).toMatchObject({ status: 200, json: { status: 'ok' }, type: 'application/json' });
    expect(await call(a, 'GET', '/readyz', undefined, {})).toMatchObject({ status: 200, json: { status: 'ready' } });
    a.readiness.state = { ok: false, detail: 'caches not synced' };
    expect(await call(a, 'GET', '/readyz', undefined, {})).toMatchObject({ status: 503, json: { detail: 'caches not synced' } });
    expect((await call(a, 'GET', '/metrics', undefined, {})).status).toBe(200);
  });
});

describe('routes and error shapes', () => {
  it('404 and 405 bodies are upstream\'s, as JSON', async () => {
    const a = await agent();
    expect(await call(a, 'GET', '/api/unknown')).toMatchObject({ status: 404, json: { detail: 'Not Found' }, type: 'application/json' });
    expect(await call(a, 'GET', '/nope', undefined, {})).toMatchObject({ status: 404, json: { detail: 'Not Found' } });
    expect(await call(a, 'GET', '/api/sandboxes/missing')).toMatchObject({ status: 404, json: { detail: "Sandbox 'missing' not found" } });
    for (const [method, url] of [['PUT', '/api/sandboxes'], ['DELETE', '/api/sandboxes'], ['POST', '/api/sandboxes/a'], ['GET', '/api/sandboxes/a/touch'], ['POST', '/health'], ['DELETE', '/api/capabilities']] as const) {
      expect(await call(a, method, url), `${method} ${url}`).toMatchObject({ status: 405, json: { detail: 'Method Not Allowed' }, type: 'application/json' });
    }
  });

  it('builds the 405 table from the routes fastify registered', async () => {
    const a = await agent();
    const log = pino({ level: 'silent' });
    const app = buildApp({ cfg: a.cfg, log, metrics: createMetrics(false), auth: new ApiKeyChecker([API_KEY]), sandboxes: a.sandboxes, readiness: a.readiness });
    app.get('/extra/:thing', async () => ({ ok: true }));
    await app.ready();
    const r = await app.inject({ method: 'POST', url: '/extra/x' });
    expect([r.statusCode, r.body]).toEqual([405, '{"detail":"Method Not Allowed"}']);
    expect((await app.inject({ method: 'POST', url: '/extra/x/y' })).statusCode).toBe(404);
    await app.close();
  });

  it('capabilities reflect the lark images', async () => {
    expect((await call(await agent(), 'GET', '/api/capabilities')).json).toEqual({ lark_cli_init_image: false, lark_cli_broker_image: false });
    expect((await call(await agent({ LARK_CLI_BROKER_IMAGE: 'b:1' }), 'GET', '/api/capabilities')).json).toEqual({ lark_cli_init_image: false, lark_cli_broker_image: true });
  });

  it('413 for a body over the limit, naming the setting', async () => {
    const a = await agent({ SANDBOX_AGENT_BODY_LIMIT_BYTES: '2048' });
    const r = await create(a, { sandbox_id: 'a', junk: 'x'.repeat(4000) });
    expect(r).toMatchObject({ status: 413, type: 'application/json' });
    expect((r.json as { detail: string }).detail).toContain('SANDBOX_AGENT_BODY_LIMIT_BYTES');
  });

  it('422 pydantic-style lists for bad bodies, ids and query parameters', async () => {
    const a = await agent();
    const bad = [
      ['not json', 'json_invalid'],
      ['', 'missing'],
      ['[]', 'model_attributes_type'],
      [{ sandbox_id: 'Bad_ID' }, 'string_pattern_mismatch'],
      [{ sandbox_id: 'a', user_id: null }, 'string_type'],
    ] as const;
    for (const [body, type] of bad) {
      const r = await create(a, body as unknown as Record<string, unknown>);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect((r.json as { detail: { type: string }[] }).detail[0]?.type).toBe(type);
    }
    for (const q of ['?wait=soon', '?wait=ready&timeout=abc', '?wait=ready&timeout=0', '?wait=ready&timeout=121']) {
      expect((await create(a, { sandbox_id: 'a' }, q)).status, q).toBe(422);
      expect((await call(a, 'GET', `/api/sandboxes/a${q}`)).status, q).toBe(422);
    }
    expect(a.api.count('create')).toBe(0);
  });

  it('deeply nested JSON gets a 422 JSON error, not a 500', async () => {
    const a = await agent();
    const depth = 20_000; // 40 kB, under the 64 KiB body limit
    for (const body of ['['.repeat(depth) + ']'.repeat(depth), '['.repeat(depth), `{"sandbox_id":"a","x":${'['.repeat(5000)}${']'.repeat(5000)}}`]) {
      const r = await create(a, body as unknown as Record<string, unknown>);
      expect([r.status, r.type]).toEqual([422, 'application/json']);
      expect((r.json as { detail: { msg: string }[] }).detail[0]?.msg).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    // Nesting inside the limit, even in a string, is parsed as usual.
    expect((await create(a, { sandbox_id: 'ok1', note: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' })).status).toBe(200);
  });

  it('every request of the seeded malformed set gets a 4xx JSON error and writes nothing', async () => {
    const a = await agent();
    const requests = malformedRequests(42);
    const failures: string[] = [];
    for (const q of requests) {
      const r = await call(a, q.method, q.path, q.body);
      if (r.status < 400 || r.status >= 500 || r.type !== 'application/json') failures.push(`${r.status} ${r.type} ${q.method} ${q.path} ${q.body?.slice(0, 80)}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(requests.length).toBe(1200);
    expect(a.api.tally.writes).toBe(0);
  });

  it('400 with upstream\'s exact mount messages, before any write', async () => {
    const a = await agent();
    const r = await create(a, { sandbox_id: 'm1', extra_mounts: [{ host_path: '/etc', container_path: '/mnt/acp-workspace' }] });
    expect(r).toMatchObject({ status: 400, json: { detail: 'Extra mount host path is outside DeerFlow state: /etc' } });
    expect(a.api.calls).toEqual([]);
  });

  it('a malformed path escape is a 4xx JSON answer', async () => {
    const a = await agent();
    const r = await call(a, 'GET', '/api/sandboxes/%zz');
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.type).toBe('application/json');
  });
});

describe('acquire', () => {
  it('creates one Pod (headless: the only write), then answers from the cache', async () => {
    const a = await agent(HEADLESS);
    const r = await create(a, { sandbox_id: 'abc', user_id: 'u1' });
    expect(r).toMatchObject({ status: 200, json: { sandbox_id: 'abc', sandbox_url: 'http://sandbox-abc.sbx-dns.sbx.svc.cluster.local:8080', status: 'Pending', ready: false } });
    expect(a.api.pods.get('sandbox-abc')?.metadata?.ownerReferences).toEqual([OWNER]);
    expect(a.api.tally.writes).toBe(1);
    const again = await create(a, { sandbox_id: 'abc', user_id: 'someone-else' });
    expect(again.json).toEqual(r.json);
    expect(a.api.count('create')).toBe(1);
    expect((await call(a, 'GET', '/api/sandboxes/abc')).json).toMatchObject({ sandbox_id: 'abc', status: 'Pending' });
  });

  it('ClusterIP: Pod + Service and upstream\'s URL; NodePort: the allocated port', async () => {
    const c = await agent({ SANDBOX_SERVICE_TYPE: 'ClusterIP' });
    expect((await create(c, { sandbox_id: 's1' })).json).toMatchObject({ sandbox_url: 'http://sandbox-s1-svc.sbx.svc.cluster.local:8080' });
    expect([c.api.count('create', 'pods'), c.api.count('create', 'services')]).toEqual([1, 1]);
    const n = await agent({ SANDBOX_SERVICE_TYPE: 'NodePort', NODE_HOST: 'node.example' });
    expect((await create(n, { sandbox_id: 's1' })).json).toMatchObject({ sandbox_url: 'http://node.example:30001' });
  });

  it('singleflight: 25 concurrent POSTs for one id make one create', async () => {
    const a = await agent(HEADLESS);
    a.api.latencyMs = 30;
    const rs = await Promise.all(Array.from({ length: 25 }, () => create(a, { sandbox_id: 'same' })));
    expect(rs.map((r) => r.status)).toEqual(Array(25).fill(200));
    expect(new Set(rs.map((r) => (r.json as { sandbox_url: string }).sandbox_url)).size).toBe(1);
    expect(a.api.count('create', 'pods')).toBe(1);
  });

  it('a Pod another replica created (409) is read back, not duplicated', async () => {
    const a = await agent(HEADLESS);
    a.api.seedPod({ metadata: { name: 'sandbox-other', labels: sandboxLabels('other', 'rel') } }, { watch: false });
    expect((await create(a, { sandbox_id: 'other' })).status).toBe(200);
    expect(a.api.calls.map((c) => `${c.verb} ${c.name}`)).toEqual(['create sandbox-other', 'get sandbox-other']);
  });

  it('API failures keep upstream\'s detail and add the server\'s message', async () => {
    const a = await agent(HEADLESS);
    a.api.failNext('create', 'pods', 403);
    expect(await create(a, { sandbox_id: 'f1' })).toMatchObject({ status: 500, json: { detail: 'Pod creation failed: Forbidden', message: 'injected create pods failure' }, type: 'application/json' });
  });

  it('a failed Service create rolls back only the Pod this request created', async () => {
    const a = await agent({ SANDBOX_SERVICE_TYPE: 'ClusterIP' });
    a.api.failNext('create', 'services', 403);
    expect(await create(a, { sandbox_id: 'rb' })).toMatchObject({ status: 500, json: { detail: 'Service creation failed: Forbidden' } });
    expect(a.api.pods.has('sandbox-rb')).toBe(false);
    expect(await a.metrics.registry.getSingleMetricAsString('sandbox_agent_deletes_total')).toContain('reason="rollback",result="ok"} 1');
  });

  it('ClusterIP mode sends the Pod and the Service creates together, not one after the other', async () => {
    const a = await agent({ SANDBOX_SERVICE_TYPE: 'ClusterIP' });
    a.api.latencyMs = 200;
    const started = performance.now();
    expect((await create(a, { sandbox_id: 'par' })).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(380);
    expect(a.api.pods.has('sandbox-par') && a.api.services.has('sandbox-par-svc')).toBe(true);
  });

  it('a failed Pod create removes the Service created with it; a Pod another replica made is never rolled back', async () => {
    const a = await agent({ SANDBOX_SERVICE_TYPE: 'ClusterIP' });
    a.api.failNext('create', 'pods', 403);
    expect(await create(a, { sandbox_id: 'rp' })).toMatchObject({ status: 500, json: { detail: 'Pod creation failed: Forbidden' } });
    expect(a.api.services.has('sandbox-rp-svc')).toBe(false);
    expect(await a.metrics.registry.getSingleMetricAsString('sandbox_agent_deletes_total')).toContain('reason="rollback",result="ok"} 1');
    a.api.seedPod({ metadata: { name: 'sandbox-theirs', labels: sandboxLabels('theirs', 'rel') } }, { watch: false });
    a.api.failNext('create', 'services', 403);
    expect((await create(a, { sandbox_id: 'theirs' })).status).toBe(500);
    expect(a.api.pods.has('sandbox-theirs')).toBe(true);
  });

  it('caps: 429 naming the variable, counted with in-flight creates; existing sandboxes still answer', async () => {
    const a = await agent({ ...HEADLESS, SANDBOX_AGENT_MAX_SANDBOXES: '3', SANDBOX_AGENT_MAX_SANDBOXES_PER_USER: '2' });
    a.api.latencyMs = 20;
    const rs = await Promise.all(['a1', 'a2', 'a3'].map((id) => create(a, { sandbox_id: id, user_id: 'alice' })));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    const perUser = rs.find((r) => r.status === 429);
    expect((perUser?.json as { detail: string }).detail).toBe("Sandbox limit reached for user 'alice': per-user cap SANDBOX_AGENT_MAX_SANDBOXES_PER_USER=2");
    expect((await create(a, { sandbox_id: 'b1', user_id: 'bob' })).status).toBe(200);
    expect(await create(a, { sandbox_id: 'b2', user_id: 'bob' })).toMatchObject({ status: 429, json: { detail: 'Sandbox limit reached: global cap SANDBOX_AGENT_MAX_SANDBOXES=3' } });
    const existing = rs.find((r) => r.status === 200)?.json as { sandbox_id: string };
    expect((await create(a, { sandbox_id: existing.sandbox_id, user_id: 'alice' })).status).toBe(200);
    expect(a.api.count('create')).toBe(3);
    const rejections = await a.metrics.registry.getSingleMetricAsString('sandbox_agent_cap_rejections_total');
    expect(rejections).toContain('cap="per_user"} 1');
    expect(rejections).toContain('cap="global"} 1');
  });

  it('?wait=ready: 504 with the reason at the deadline, 200 once the watch reports Ready', async () => {
    const a = await agent(HEADLESS);
    const late = await create(a, { sandbox_id: 'w1' }, '?wait=ready&timeout=0.2');
    expect(late).toMatchObject({ status: 504, json: { sandbox_id: 'w1', ready: false, status: 'Pending' } });
    expect((late.json as { detail: string }).detail).toBe("Sandbox 'w1' was not ready within 0.2s (status Pending)");
    const waiting = create(a, { sandbox_id: 'w2' }, '?wait=ready&timeout=5');
    setTimeout(() => a.api.setReady('sandbox-w2'), 50);
    expect(await waiting).toMatchObject({ status: 200, json: { sandbox_id: 'w2', status: 'Running', ready: true } });
  });

  it('a Pod of the same name still terminating: waits, then 503', async () => {
    const a = await agent({ ...HEADLESS, SANDBOX_AGENT_TERMINATING_WAIT_SECONDS: '0' });
    a.cache.observePod({ metadata: { name: 'sandbox-t1', uid: 'old', resourceVersion: '1', deletionTimestamp: new Date(), labels: sandboxLabels('t1', 'rel') } });
    expect(await create(a, { sandbox_id: 't1' })).toMatchObject({ status: 503, json: { detail: "Sandbox 't1' is still terminating; retry later" } });
    expect(a.api.count('create')).toBe(0);
  });
});

describe('get, list, touch, release, delete', () => {
  it('list shape, sorted; get and touch/release on the same records', async () => {
    const a = await agent({ ...HEADLESS, SANDBOX_AGENT_TOUCH_MIN_INTERVAL_SECONDS: '0' });
    for (const id of ['b', 'a', 'c']) await create(a, { sandbox_id: id });
    await a.settle();
    const list = await call(a, 'GET', '/api/sandboxes');
    expect((list.json as { count: number }).count).toBe(3);
    expect((list.json as { sandboxes: { sandbox_id: string }[] }).sandboxes.map((s) => s.sandbox_id)).toEqual(['a', 'b', 'c']);
    expect(await call(a, 'POST', '/api/sandboxes/a/release')).toMatchObject({ status: 200, json: { sandbox_id: 'a', released: true } });
    expect(a.api.pods.get('sandbox-a')?.metadata?.annotations?.[ANN_RELEASED_AT]).toBeDefined();
    expect(await call(a, 'POST', '/api/sandboxes/a/touch')).toMatchObject({ status: 200, json: { released: false } });
    expect(a.api.pods.get('sandbox-a')?.metadata?.annotations?.[ANN_RELEASED_AT]).toBeUndefined();
    expect(await call(a, 'POST', '/api/sandboxes/zz/touch')).toMatchObject({ status: 404, json: { detail: "Sandbox 'zz' not found" } });
  });

  it('GET touches at most once per interval', async () => {
    const a = await agent(HEADLESS);
    await create(a, { sandbox_id: 'g1' });
    for (let i = 0; i < 5; i++) expect((await call(a, 'GET', '/api/sandboxes/g1')).status).toBe(200);
    expect(a.api.count('patch')).toBe(0);
  });

  it('DELETE is idempotent, shaped like upstream, and makes no call for an impossible id', async () => {
    const a = await agent({ SANDBOX_SERVICE_TYPE: 'ClusterIP' });
    await create(a, { sandbox_id: 'd1' });
    expect(await call(a, 'DELETE', '/api/sandboxes/d1')).toMatchObject({ status: 200, json: { ok: true, sandbox_id: 'd1' } });
    expect([a.api.pods.size, a.api.services.size]).toEqual([0, 0]);
    expect((await call(a, 'DELETE', '/api/sandboxes/d1')).status).toBe(200);
    const before = a.api.calls.length;
    expect(await call(a, 'DELETE', '/api/sandboxes/Not_Valid')).toMatchObject({ status: 200, json: { ok: true, sandbox_id: 'Not_Valid' } });
    expect(a.api.calls.length).toBe(before);
  });

  it('a failed delete is upstream\'s 500 Partial cleanup, both deletes attempted', async () => {
    const a = await agent({ SANDBOX_SERVICE_TYPE: 'ClusterIP' });
    await create(a, { sandbox_id: 'p1' });
    a.api.failNext('delete', 'services', 403);
    a.api.failNext('delete', 'pods', 403);
    expect(await call(a, 'DELETE', '/api/sandboxes/p1')).toMatchObject({ status: 500, json: { detail: 'Partial cleanup: service: Forbidden, pod: Forbidden' }, type: 'application/json' });
    expect(await a.metrics.registry.getSingleMetricAsString('sandbox_agent_deletes_total')).toContain('reason="api",result="error"} 1');
  });
});

describe('reaper', () => {
  it('plans from the cache: TTLs, grace, foreign releases, repairs and orphan Services', async () => {
    const a = await agent({ SANDBOX_SERVICE_TYPE: 'ClusterIP', SANDBOX_AGENT_IDLE_TTL_SECONDS: '600', SANDBOX_AGENT_RELEASED_TTL_SECONDS: '60', SANDBOX_AGENT_MAX_LIFETIME_SECONDS: '7200' });
    const pods: [string, Parameters<typeof recordedPod>[1], boolean][] = [
      ['idle', { ageS: 1000, touchS: 700 }, true],
      ['busy', { ageS: 1000, touchS: 10 }, true],
      ['released', { ageS: 1000, touchS: 100, releasedS: 90 }, true],
      ['old', { ageS: 8000, touchS: 1 }, true],
      ['young', { ageS: 30 }, false],
      ['foreign', { ageS: 9000, release: 'other-release' }, false],
      ['nosvc', { ageS: 500, touchS: 1 }, false],
    ];
    for (const [id, opts, withService] of pods) {
      a.api.seedPod(recordedPod(id, opts));
      if (withService) a.api.seedService({ metadata: { name: serviceName(id), labels: sandboxLabels(id, opts.release ?? 'rel') }, spec: { ports: [{ name: 'http', port: 8080 }] } });
    }
    a.api.seedService({ metadata: { name: serviceName('gone'), labels: sandboxLabels('gone', 'rel'), annotations: { [ANN_CREATED_AT]: new Date(Date.now() - 600_000).toISOString() } }, spec: { ports: [{ name: 'http', port: 8080 }] } });
    await a.settle();
    const plan = a.reaper.plan(Date.now()).map((x) => `${x.kind} ${x.id}${x.kind === 'reap' ? ` ${x.reason}` : ''}`).sort();
    expect(plan).toEqual(['orphan-service gone', 'reap idle idle_ttl', 'reap old max_lifetime', 'reap released released_ttl', 'repair nosvc']);
  });

  it('sweeps through the same destroy path as DELETE, never touching a newer Pod of the same name', async () => {
    const a = await agent({ ...HEADLESS, SANDBOX_AGENT_IDLE_TTL_SECONDS: '600' });
    a.api.seedPod(recordedPod('idle1', { ageS: 1000 }));
    a.api.seedPod(recordedPod('idle2', { ageS: 1000 }));
    await a.settle();
    // idle2 was replaced behind the cache's back: same name, new uid.
    a.api.pods.delete('sandbox-idle2');
    a.api.seedPod(recordedPod('idle2', { ageS: 1 }), { watch: false });
    const stats = await a.reaper.sweep();
    expect(stats).toMatchObject({ reaped: 2, repaired: 0, removed: 0 });
    expect(a.api.pods.has('sandbox-idle1')).toBe(false);
    expect(a.api.pods.has('sandbox-idle2')).toBe(true);
    const deletes = await a.metrics.registry.getSingleMetricAsString('sandbox_agent_deletes_total');
    expect(deletes).toContain('reason="reaper",result="ok"} 2');
    expect(await a.metrics.registry.getSingleMetricAsString('sandbox_agent_reaps_total')).toContain('reason="idle_ttl"} 2');
  });

  it('repairs a Pod without its Service from the recorded request and removes an orphan Service', async () => {
    const a = await agent({ SANDBOX_SERVICE_TYPE: 'ClusterIP' });
    a.api.seedPod(recordedPod('lost', { ageS: 500, touchS: 1 }));
    a.api.seedService({ metadata: { name: serviceName('gone'), labels: sandboxLabels('gone', 'rel'), annotations: { [ANN_CREATED_AT]: new Date(Date.now() - 600_000).toISOString() } }, spec: { ports: [{ name: 'http', port: 8080 }] } });
    await a.settle();
    expect(await a.reaper.sweep()).toMatchObject({ reaped: 0, repaired: 1, removed: 1 });
    expect([...a.api.services.keys()]).toEqual(['sandbox-lost-svc']);
  });
});

/** DeerFlow's ownership leases as the reaper sees them: a set of held ids, every read recorded, failures on demand. */
class FakeLeases implements OwnershipLeases {
  readonly held_ = new Set<string>();
  readonly reads: string[][] = [];
  failWith: Error | undefined;
  async held(ids: readonly string[]): Promise<Set<string>> {
    this.reads.push([...ids].sort());
    if (this.failWith) throw this.failWith;
    return new Set(ids.filter((id) => this.held_.has(id)));
  }
  async close(): Promise<void> {}
}

describe('reaper and DeerFlow ownership leases', () => {
  const TTLS = { SANDBOX_SERVICE_TYPE: 'ClusterIP', SANDBOX_AGENT_IDLE_TTL_SECONDS: '600', SANDBOX_AGENT_RELEASED_TTL_SECONDS: '60', SANDBOX_AGENT_MAX_LIFETIME_SECONDS: '7200' };
  const PODS: [string, Parameters<typeof recordedPod>[1]][] = [
    ['idle-held', { ageS: 1000, touchS: 700 }],
    ['idle-free', { ageS: 1000, touchS: 700 }],
    ['released-held', { ageS: 1000, touchS: 100, releasedS: 90 }],
    ['released-free', { ageS: 1000, touchS: 100, releasedS: 90 }],
    ['old-held', { ageS: 8000, touchS: 1 }],
    ['busy', { ageS: 1000, touchS: 10 }],
  ];

  async function seeded(leases: FakeLeases): Promise<InProcessAgent> {
    const a = await agent(TTLS, leases);
    for (const [id, opts] of PODS) {
      a.api.seedPod(recordedPod(id, opts));
      a.api.seedService({ metadata: { name: serviceName(id), labels: sandboxLabels(id, 'rel') }, spec: { ports: [{ name: 'http', port: 8080 }] } });
    }
    // A Pod without its Service: its repair must not depend on the lease check.
    a.api.seedPod(recordedPod('nosvc', { ageS: 500, touchS: 1 }));
    await a.settle();
    for (const id of ['idle-held', 'released-held', 'old-held']) leases.held_.add(id);
    return a;
  }

  const summary = (actions: { kind: string; id: string; reason?: string }[]): string[] => actions.map((x) => `${x.kind} ${x.id}${x.reason ? ` ${x.reason}` : ''}`).sort();

  it('held sandboxes are not reaped for the idle or released TTL, free ones are, the max lifetime ignores leases; one read per pass', async () => {
    const leases = new FakeLeases();
    const a = await seeded(leases);
    const { actions, skipped } = await a.reaper.planWithOwnership(Date.now());
    expect(summary(actions)).toEqual(['reap idle-free idle_ttl', 'reap old-held max_lifetime', 'reap released-free released_ttl', 'repair nosvc']);
    expect(skipped.map((x) => `${x.id} ${x.reason} ${x.why}`).sort()).toEqual(['idle-held idle_ttl held', 'released-held released_ttl held']);
    // Only the idle/released candidates are asked about, all in one read.
    expect(leases.reads).toEqual([['idle-free', 'idle-held', 'released-free', 'released-held']]);

    leases.reads.length = 0;
    const stats = await a.reaper.sweep();
    expect(stats).toMatchObject({ reaped: 3, repaired: 1, heldSkipped: 2, ownershipCheckFailed: false });
    expect(leases.reads).toHaveLength(1);
    expect([...a.api.pods.keys()].sort()).toEqual(['sandbox-busy', 'sandbox-idle-held', 'sandbox-nosvc', 'sandbox-released-held']);
    // Counted per pass that skipped them: the plan above and this sweep.
    const skips = await a.metrics.registry.getSingleMetricAsString('sandbox_agent_ownership_held_skips_total');
    expect(skips).toContain('reason="idle_ttl"} 2');
    expect(skips).toContain('reason="released_ttl"} 2');
    expect(await a.metrics.registry.getSingleMetricAsString('sandbox_agent_ownership_check_failures_total')).toContain('sandbox_agent_ownership_check_failures_total 0');

    // The gateway let go (its leases expired): the next pass reaps them.
    leases.held_.clear();
    expect(await a.reaper.sweep()).toMatchObject({ reaped: 2, heldSkipped: 0 });
    expect([...a.api.pods.keys()].sort()).toEqual(['sandbox-busy', 'sandbox-nosvc']);
  });

  it('a failing lease check reaps nothing for the idle or released TTL in that pass, counts it, and the next pass catches up', async () => {
    const leases = new FakeLeases();
    const a = await seeded(leases);
    leases.held_.clear();
    leases.failWith = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const stats = await a.reaper.sweep();
    expect(stats).toMatchObject({ reaped: 1, repaired: 1, heldSkipped: 0, ownershipCheckFailed: true });
    expect([...a.api.pods.keys()].sort()).toEqual(['sandbox-busy', 'sandbox-idle-free', 'sandbox-idle-held', 'sandbox-nosvc', 'sandbox-released-free', 'sandbox-released-held']);
    expect(await a.metrics.registry.getSingleMetricAsString('sandbox_agent_ownership_check_failures_total')).toContain('sandbox_agent_ownership_check_failures_total 1');
    expect(await a.metrics.registry.getSingleMetricAsString('sandbox_agent_reaps_total')).toContain('reason="max_lifetime"} 1');

    leases.failWith = undefined;
    expect(await a.reaper.sweep()).toMatchObject({ reaped: 4, ownershipCheckFailed: false });
    expect([...a.api.pods.keys()].sort()).toEqual(['sandbox-busy', 'sandbox-nosvc']);
  });

  it('asks nothing when no sandbox is due for the idle or released TTL', async () => {
    const leases = new FakeLeases();
    const a = await agent(TTLS, leases);
    a.api.seedPod(recordedPod('busy', { ageS: 1000, touchS: 10 }));
    a.api.seedPod(recordedPod('old', { ageS: 8000, touchS: 1 }));
    await a.settle();
    leases.failWith = new Error('must not be asked');
    expect(await a.reaper.sweep()).toMatchObject({ reaped: 1, ownershipCheckFailed: false });
    expect(leases.reads).toEqual([]);
  });
});

describe('startup rules and metrics', () => {
  it('an owner ConfigMap without a uid is a startup error naming the setting', () => {
    expect(() => ownerReferenceTo({ metadata: { name: 'owner' } }, 'owner')).toThrow(ConfigError);
    expect(() => ownerReferenceTo({ metadata: { name: 'owner', uid: '' } }, 'owner')).toThrow('SANDBOX_AGENT_OWNER_CONFIGMAP');
    expect(ownerReferenceTo({ metadata: { name: 'owner', uid: 'u-1' } }, 'owner')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'u-1', controller: false, blockOwnerDeletion: false });
  });

  it('counts Kubernetes calls by the status the API server sent', async () => {
    const server = createServer((req, res) => {
      const created = req.method === 'POST';
      res.writeHead(created ? 201 : req.method === 'GET' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(created ? { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sandbox-x', uid: 'u' } } : { kind: 'Status', code: 404, message: 'pods "sandbox-y" not found', reason: 'NotFound' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
    const metrics = createMetrics(false);
    const kube = new KubeClient(kc, 'sbx', metrics, 0, 1);
    try {
      expect((await kube.createPod({ metadata: { name: 'sandbox-x' } })).metadata?.uid).toBe('u');
      const err = await kube.readPod('sandbox-y').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeError);
      expect((err as KubeError).status).toBe(404);
    } finally {
      kube.close();
      server.close();
    }
    const counted = await metrics.registry.getSingleMetricAsString('sandbox_agent_kube_requests_total');
    expect(counted).toContain('verb="create",resource="pods",code="201"} 1');
    expect(counted).toContain('verb="get",resource="pods",code="404"} 1');
    // No client-side limit by default: nothing waited on a token bucket.
    expect(await metrics.registry.getSingleMetricAsString('sandbox_agent_kube_ratelimit_wait_seconds')).toContain('sandbox_agent_kube_ratelimit_wait_seconds_count 0');
  });

  it('a finished watch is counted with its real status', () => {
    expect(watchStatus(null)).toBe(200);
    expect(watchStatus(Object.assign(new Error('Forbidden'), { statusCode: 403 }))).toBe(403);
    expect(watchStatus(new Error('socket hang up'))).toBe(0);
    expect(watchStatus(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBeUndefined();
  });

  it('/metrics reports HTTP requests by route and sandboxes by phase', async () => {
    const a = await agent(HEADLESS);
    await create(a, { sandbox_id: 'm1' });
    const text = (await call(a, 'GET', '/metrics', undefined, {})).body;
    expect(text).toContain('sandbox_agent_http_requests_total{route="/api/sandboxes",method="POST",status="200"} 1');
    expect(text).toContain('sandbox_agent_sandboxes{phase="Pending"} 1');
  });
});

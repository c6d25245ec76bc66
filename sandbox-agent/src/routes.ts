// HTTP surface, wire-compatible with the upstream FastAPI provisioner (docs/provisioner-contract.md §1): paths,
// status codes, `detail` strings, the bare 401 body, 404/405 shapes and 422 lists.

import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { ApiKeyChecker } from './auth.js';
import type { Config } from './config.js';
import { HttpError } from './errors.js';
import type { Metrics } from './metrics.js';
import type { SandboxService, WaitOptions } from './sandboxes.js';
import { MAX_JSON_DEPTH, type PydanticError, jsonDecodeError, jsonDepthError, parseCreateRequest } from './validation.js';

export interface ReadinessProbe {
  ready(): Promise<{ ok: boolean; detail: string }>;
}

export interface RouteDeps {
  cfg: Config;
  log: Logger;
  metrics: Metrics;
  auth: ApiKeyChecker;
  sandboxes: Pick<SandboxService, 'acquire' | 'get' | 'list' | 'destroy' | 'mark' | 'countByPhase'>;
  readiness: ReadinessProbe;
}

/**
 * Methods per registered route, filled by fastify's onRoute hook, so the 405 answer (upstream:
 * a known path with the wrong method) follows the routes actually registered.
 */
class RouteTable {
  private readonly routes = new Map<string, { re: RegExp; methods: Set<string> }>();

  add(url: string, methods: string | string[]): void {
    let r = this.routes.get(url);
    if (!r) {
      const pattern = url.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
      r = { re: new RegExp(`^${pattern}$`), methods: new Set() };
      this.routes.set(url, r);
    }
    for (const m of Array.isArray(methods) ? methods : [methods]) r.methods.add(m);
  }

  /** The methods registered for a concrete path; undefined when no route has that path. */
  methodsFor(path: string): ReadonlySet<string> | undefined {
    for (const r of this.routes.values()) if (r.re.test(path)) return r.methods;
    return undefined;
  }
}

const JSON_TYPE = 'application/json';

function pathOf(url: string): string {
  const raw = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const idParams = {
  type: 'object',
  required: ['sandbox_id'],
  properties: { sandbox_id: { type: 'string', minLength: 1 } },
} as const;

const waitQuery = {
  type: 'object',
  properties: {
    wait: { type: 'string', enum: ['ready'] },
    timeout: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?s?$' },
  },
} as const;

interface IdParams {
  sandbox_id: string;
}
interface WaitQuery {
  wait?: 'ready';
  timeout?: string;
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', JSON_TYPE).send(JSON.stringify(body));
}

export function buildApp(deps: RouteDeps) {
  const { cfg, metrics, sandboxes } = deps;
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: cfg.bodyLimitBytes,
    routerOptions: { maxParamLength: 2048 },
    disableRequestLogging: true,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
  });

  const routes = new RouteTable();
  app.addHook('onRoute', (r) => routes.add(r.url, r.method));

  // FastAPI decodes any body as JSON regardless of Content-Type; keep the raw bytes and decide ourselves.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const waitOptions = (q: WaitQuery): WaitOptions => {
    if (q.wait !== 'ready') return {};
    const max = cfg.waitTimeoutMaxSeconds;
    const requested = q.timeout === undefined ? Math.min(60, max) : Number(q.timeout.replace(/s$/, ''));
    if (!(requested > 0) || requested > max) {
      throw new HttpError(422, `timeout must be > 0 and <= ${max} seconds (SANDBOX_AGENT_WAIT_TIMEOUT_MAX_SECONDS)`);
    }
    return { readyTimeoutMs: requested * 1000 };
  };

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (!pathOf(req.url).startsWith('/api/')) return;
    const key = req.headers['x-api-key'];
    if (deps.auth.check(typeof key === 'string' ? key : undefined)) return;
    req.log.warn(`provisioner auth rejected: ${req.method} ${pathOf(req.url)}`);
    // Upstream sends exactly these 12 bytes with no Content-Type; bypass fastify's serializer
    // (onResponse still runs and counts it).
    reply.hijack();
    reply.raw.writeHead(401, { 'content-length': '12', 'x-request-id': req.id });
    reply.raw.end('Unauthorized');
  });

  // fastify appends "; charset=utf-8" to JSON; FastAPI sends a bare application/json.
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.getHeader('content-type') === `${JSON_TYPE}; charset=utf-8`) reply.header('content-type', JSON_TYPE);
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ route, method: req.method, status: String(reply.statusCode) });
    req.log.info({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.setNotFoundHandler((req, reply) => {
    const allowed = routes.methodsFor(pathOf(req.url));
    if (allowed && !allowed.has(req.method)) return send(reply, 405, { detail: 'Method Not Allowed' });
    return send(reply, 404, { detail: 'Not Found' });
  });

  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof HttpError) {
      if (err.status >= 500) metrics.errors.inc({ kind: `http_${err.status}` });
      return send(reply, err.status, { detail: err.detail, ...err.extra });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const loc = fe.validationContext === 'params' ? 'path' : 'query';
      const detail: PydanticError[] = fe.validation.map((v) => ({
        type: 'value_error',
        loc: [loc, ...(v.instancePath.split('/').filter(Boolean) as string[])],
        msg: v.message ?? 'invalid value',
        input: null,
      }));
      return send(reply, 422, { detail });
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return send(reply, 413, { detail: `Request body too large (limit ${cfg.bodyLimitBytes} bytes, SANDBOX_AGENT_BODY_LIMIT_BYTES)` });
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return send(reply, fe.statusCode, { detail: fe.message });
    }
    metrics.errors.inc({ kind: 'unhandled' });
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).header('content-type', 'text/plain; charset=utf-8').send('Internal Server Error');
  });

  app.get('/health', async (_req, reply) => send(reply, 200, { status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const r = await deps.readiness.ready();
    return r.ok ? send(reply, 200, { status: 'ready' }) : send(reply, 503, { detail: r.detail });
  });

  app.get('/metrics', async (_req, reply) => {
    for (const [phase, n] of Object.entries(sandboxes.countByPhase())) metrics.sandboxes.set({ phase }, n);
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/api/capabilities', async (_req, reply) =>
    send(reply, 200, { lark_cli_init_image: cfg.larkCliInitImage !== '', lark_cli_broker_image: cfg.larkCliBrokerImage !== '' }),
  );

  app.post<{ Querystring: WaitQuery; Body: Buffer | undefined }>('/api/sandboxes', { schema: { querystring: waitQuery } }, async (req, reply) => {
    const end = metrics.acquireSeconds.startTimer({ mode: cfg.serviceMode });
    let outcome = 'error';
    try {
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      let body: unknown;
      // Deep nesting is refused before parsing: echoing such a body in a 422 (or logging it)
      // would overflow the stack. A real create body nests three levels.
      const tooDeep = jsonDepthError(raw, MAX_JSON_DEPTH);
      if (tooDeep) {
        outcome = 'invalid';
        return send(reply, 422, { detail: [tooDeep] });
      }
      if (raw.trim() !== '') {
        try {
          body = JSON.parse(raw) as unknown;
        } catch {
          outcome = 'invalid';
          return send(reply, 422, { detail: [jsonDecodeError(raw)] });
        }
      }
      const parsed = parseCreateRequest(body);
      if (!parsed.ok) {
        outcome = 'invalid';
        return send(reply, 422, { detail: parsed.errors });
      }
      const wait = waitOptions(req.query);
      req.log.info({ sandbox_id: parsed.value.sandbox_id, thread_id: parsed.value.thread_id, user_id: parsed.value.user_id }, 'acquire');
      const view = await sandboxes.acquire(parsed.value, wait);
      outcome = 'ok';
      return send(reply, 200, view);
    } catch (err) {
      outcome = err instanceof HttpError ? `http_${err.status}` : 'error';
      throw err;
    } finally {
      end({ outcome });
    }
  });

  app.get('/api/sandboxes', async (_req, reply) => {
    const list = sandboxes.list();
    return send(reply, 200, { sandboxes: list, count: list.length });
  });

  app.get<{ Params: IdParams; Querystring: WaitQuery }>('/api/sandboxes/:sandbox_id', { schema: { params: idParams, querystring: waitQuery } }, async (req, reply) =>
    send(reply, 200, await sandboxes.get(req.params.sandbox_id, waitOptions(req.query))),
  );

  app.delete<{ Params: IdParams }>('/api/sandboxes/:sandbox_id', { schema: { params: idParams } }, async (req, reply) => {
    await sandboxes.destroy(req.params.sandbox_id, { reason: 'api' });
    return send(reply, 200, { ok: true, sandbox_id: req.params.sandbox_id });
  });

  app.post<{ Params: IdParams }>('/api/sandboxes/:sandbox_id/touch', { schema: { params: idParams } }, async (req, reply) =>
    send(reply, 200, await sandboxes.mark(req.params.sandbox_id, false)),
  );
  app.post<{ Params: IdParams }>('/api/sandboxes/:sandbox_id/release', { schema: { params: idParams } }, async (req, reply) =>
    send(reply, 200, await sandboxes.mark(req.params.sandbox_id, true)),
  );

  return app;
}

export type App = ReturnType<typeof buildApp>;

// Memory and connection footprint: what the cache keeps of each object (slim.ts, SlimWatch), the
// shared keep-alive agent (transport.ts) and plain-JSON calls over it (jsonapi.ts). Unit tests: a
// local HTTP server stands in for the API server; no cluster.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { Agent as HttpAgent, createServer } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { HttpMethod, KubeConfig, RequestContext, type V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SandboxCache, SlimWatch, isPodReady } from '../src/cache.js';
import { loadConfig } from '../src/config.js';
import { sandboxTimes } from '../src/lifecycle.js';
import { resolveMounts } from '../src/mounts.js';
import { buildPod } from '../src/podspec.js';
import { slimEvent, slimPod, slimService } from '../src/slim.js';
import { HttpMethod as JsonMethod, JsonApi, MERGE_PATCH, resourcePath } from '../src/jsonapi.js';
import { toKubeError } from '../src/kube.js';
import { PooledAuthentication, TLS_FILE_CHECK_MS } from '../src/transport.js';
import { parseCreateRequest } from '../src/validation.js';
import { unstartedSource } from './in-process.js';

function fullPod(id: string): V1Pod {
  const cfg = loadConfig({ SANDBOX_AGENT_POD_ANNOTATIONS: '{"example.com/x":"y"}' });
  const parsed = parseCreateRequest({ sandbox_id: id, user_id: 'u1' });
  if (!parsed.ok) throw new Error('bad request');
  const pod = buildPod(parsed.value, resolveMounts(parsed.value, cfg), { cfg, ownerReference: { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' }, now: new Date('2026-01-01T00:00:00Z') });
  // What the API server adds: identity, managedFields, a status with waiting containers.
  pod.metadata = {
    ...pod.metadata,
    uid: `uid-${id}`,
    resourceVersion: '42',
    creationTimestamp: new Date('2026-01-01T00:00:00Z'),
    managedFields: [{ manager: 'sandbox-agent', operation: 'Update', fieldsV1: { 'f:spec': { big: 'x'.repeat(2000) } } }],
  };
  pod.status = {
    phase: 'Pending',
    hostIP: '10.0.0.1',
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: new Date() },
      { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [sandbox]' },
    ],
    containerStatuses: [{ name: 'sandbox', image: 'img', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "img"' } } }],
  };
  return pod;
}

describe('slim cache objects', () => {
  it('keeps every field the agent reads and drops the rest', () => {
    const full = fullPod('a1');
    const slim = slimPod(full);
    expect(slim.spec).toBeUndefined();
    expect(slim.metadata?.managedFields).toBeUndefined();
    expect(slim.metadata?.annotations?.['example.com/x']).toBeUndefined();
    expect(slim.metadata?.labels).toEqual(full.metadata?.labels);
    expect(slim.metadata?.ownerReferences).toEqual(full.metadata?.ownerReferences);
    expect(slim.metadata?.resourceVersion).toBe('42');
    expect(sandboxTimes(slim.metadata)).toEqual(sandboxTimes(full.metadata));
    expect(isPodReady(slim)).toBe(isPodReady(full));
    expect(slim.status?.phase).toBe('Pending');
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(full).length / 3);

    const ready = fullPod('a2');
    ready.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    expect(isPodReady(slimPod(ready))).toBe(true);
  });

  it('reports an OOM kill as the reason, even once the container waits in CrashLoopBackOff', () => {
    const cache = new SandboxCache(unstartedSource('sbx'), pino({ level: 'silent' }), false);
    const pod = fullPod('oom');
    pod.status = {
      phase: 'Running',
      containerStatuses: [{
        name: 'sandbox', image: 'img', imageID: '', ready: false, restartCount: 2,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
      }],
    };
    cache.observePod(pod);
    expect(cache.reason('sandbox-oom')).toBe('OOMKilled: container sandbox exceeded its memory limit (exit code 137, 2 restarts)');
    const never = fullPod('never');
    never.status = { phase: 'Pending', containerStatuses: [{ name: 'sandbox', image: 'img', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImageNeverPull', message: 'Container image "img" is not present with pull policy of Never' } } }] };
    cache.observePod(never);
    expect(cache.reason('sandbox-never')).toBe('ErrImageNeverPull: Container image "img" is not present with pull policy of Never');
  });

  it('answers reason() from a slimmed Pod exactly as from the full one', () => {
    const cache = new SandboxCache(unstartedSource('sbx'), pino({ level: 'silent' }), false);
    const full = fullPod('a3');
    cache.observePod(full);
    expect(cache.reason('sandbox-a3')).toBe('ImagePullBackOff: Back-off pulling image "img"');
    expect(cache.pod('sandbox-a3')?.spec).toBeUndefined();
  });

  it('reduces Services to ports and Events to reason/message/target', () => {
    const svc = slimService({ metadata: { name: 's', managedFields: [{}] }, spec: { type: 'NodePort', selector: { a: 'b' }, ports: [{ name: 'http', port: 8080, nodePort: 30001, targetPort: 8080 }] } });
    expect(svc).toEqual({ metadata: { name: 's' }, spec: { ports: [{ name: 'http', port: 8080, nodePort: 30001 }] } });
    const ev = slimEvent({ metadata: { name: 'e', resourceVersion: '7', labels: { x: 'y' } }, involvedObject: { name: 'sandbox-a', uid: 'u' }, reason: 'FailedMount', message: 'm', lastTimestamp: 't' });
    expect(ev).toEqual({ metadata: { name: 'e', resourceVersion: '7' }, involvedObject: { name: 'sandbox-a', uid: 'u' }, reason: 'FailedMount', message: 'm', lastTimestamp: 't' });
  });

  it('SlimWatch slims objects but passes ERROR and BOOKMARK through', async () => {
    const full = JSON.parse(JSON.stringify(fullPod('w1'))) as V1Pod;
    const lines = [
      { type: 'ADDED', object: full },
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '99' } } },
      { type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old' } },
    ];
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (const l of lines) res.write(`${JSON.stringify(l)}\n`);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const seen: [string, unknown][] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        void new SlimWatch<V1Pod>(kc, slimPod)
          .watch('/api/v1/pods', {}, (phase, obj) => seen.push([phase, obj]), () => resolve())
          .catch(reject);
      });
    } finally {
      server.close();
    }
    expect(seen.map((s) => s[0])).toEqual(['ADDED', 'BOOKMARK', 'ERROR']);
    expect(seen[0]?.[1]).toEqual(slimPod(full));
    expect(seen[1]?.[1]).toEqual(lines[1]?.object);
    expect(seen[2]?.[1]).toEqual({ kind: 'Status', code: 410, message: 'too old' });
  });
});

type KcOptions = Parameters<KubeConfig['loadFromOptions']>[0];

function kubeconfig(opts: { server?: string; cert?: string; proxyUrl?: string } = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions(kubeconfigOptions(opts));
  return kc;
}

function kubeconfigOptions(opts: { server?: string; cert?: string; proxyUrl?: string }): KcOptions {
  return {
    clusters: [{ name: 'c', server: opts.server ?? 'https://127.0.0.1:6443', caData: Buffer.from('ca').toString('base64'), skipTLSVerify: false, ...(opts.proxyUrl ? { proxyUrl: opts.proxyUrl } : {}) }],
    users: [{ name: 'u', token: 'tok', certData: Buffer.from(opts.cert ?? 'cert-1').toString('base64'), keyData: Buffer.from('key').toString('base64') }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  };
}

async function agentFor(auth: PooledAuthentication): Promise<{ agent: unknown; authz: string | undefined }> {
  const ctx = new RequestContext('https://127.0.0.1:6443/api', HttpMethod.GET);
  await auth.applySecurityAuthentication(ctx);
  return { agent: ctx.getAgent(), authz: ctx.getHeaders()['Authorization'] };
}

describe('pooled transport', () => {
  it('reuses one keep-alive agent per TLS identity and still applies auth per request', async () => {
    const kc = kubeconfig();
    const auth = new PooledAuthentication(kc);
    const a = await agentFor(auth);
    const b = await agentFor(auth);
    expect(a.agent).toBeInstanceOf(HttpsAgent);
    expect(a.agent).toBe(b.agent);
    expect((a.agent as HttpsAgent).options.keepAlive).toBe(true);
    expect(a.authz).toBe('Bearer tok');
    expect(b.authz).toBe('Bearer tok');
    expect(String((a.agent as HttpsAgent).options.cert)).toBe('cert-1');

    // A rotated client certificate gets a new agent (with the new material).
    kc.loadFromOptions(kubeconfigOptions({ cert: 'cert-2' }));
    const c = await agentFor(auth);
    expect(c.agent).not.toBe(a.agent);
    expect(String((c.agent as HttpsAgent).options.cert)).toBe('cert-2');
    auth.destroy();
  });

  it('reads TLS files into the agent once, and again within a check period of a rotation', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'antler-tls-'));
    try {
      for (const [f, v] of [['ca.crt', 'ca-1'], ['tls.crt', 'cert-1'], ['tls.key', 'key-1']]) await writeFile(path.join(dir, f!), v!);
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', caFile: path.join(dir, 'ca.crt'), skipTLSVerify: false }],
        users: [{ name: 'u', token: 'tok', certFile: path.join(dir, 'tls.crt'), keyFile: path.join(dir, 'tls.key') }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      let now = 0;
      const auth = new PooledAuthentication(kc, () => now);
      const a = await agentFor(auth);
      const opts = () => (a.agent as HttpsAgent).options;
      expect([String(opts().ca), String(opts().cert), String(opts().key), a.authz]).toEqual(['ca-1', 'cert-1', 'key-1', 'Bearer tok']);
      // A rotation (new inode, size and mtime) is seen at the next check, not on every request.
      await writeFile(path.join(dir, 'tls.crt.new'), 'cert-2-rotated');
      await rename(path.join(dir, 'tls.crt.new'), path.join(dir, 'tls.crt'));
      now += TLS_FILE_CHECK_MS - 1;
      expect((await agentFor(auth)).agent).toBe(a.agent);
      now += 1;
      const b = await agentFor(auth);
      expect(b.agent).not.toBe(a.agent);
      expect(String((b.agent as HttpsAgent).options.cert)).toBe('cert-2-rotated');
      // Unchanged files after another check period: the same agent.
      now += TLS_FILE_CHECK_MS;
      expect((await agentFor(auth)).agent).toBe(b.agent);
      // A file that vanished fails the request, as client-node's own read would.
      await rm(path.join(dir, 'tls.key'));
      now += TLS_FILE_CHECK_MS;
      await expect(agentFor(auth)).rejects.toThrow(/ENOENT/);
      auth.destroy();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pools plain http agents and leaves proxy agents alone', async () => {
    const plain = new PooledAuthentication(kubeconfigHttp());
    const p1 = await agentFor(plain);
    expect(p1.agent).toBeInstanceOf(HttpAgent);
    expect(p1.agent).toBe((await agentFor(plain)).agent);
    plain.destroy();

    const proxied = new PooledAuthentication(kubeconfig({ proxyUrl: 'http://127.0.0.1:3128' }));
    const x = await agentFor(proxied);
    const y = await agentFor(proxied);
    expect(x.agent).not.toBe(y.agent);
    expect((x.agent as object).constructor).not.toBe(HttpsAgent);
  });
});

describe('JSON API over the pooled transport', () => {
  it('sends the body and query as given, returns the parsed answer, and turns a Status into a KubeError', async () => {
    const seen: { method?: string; url?: string; type?: string; authz?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], authz: req.headers.authorization, body });
        if (req.method === 'DELETE') {
          res.writeHead(409, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', code: 409, reason: 'Conflict', message: 'Precondition failed: UID in precondition: u1, UID in object meta: u2' }));
          return;
        }
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ metadata: { name: 'p', creationTimestamp: '2026-01-01T00:00:00Z', continue: 'next' }, items: [] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const kc = kubeconfigHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'tok');
    const auth = new PooledAuthentication(kc);
    const api = new JsonApi(kc, auth);
    try {
      const created = await api.request<V1Pod>(JsonMethod.POST, resourcePath('ns 1', 'pods'), { body: { metadata: { name: 'p' } } });
      expect(created.httpStatusCode).toBe(201);
      // JSON as sent: timestamps stay strings (the agent reads them with new Date()), `continue` keeps its name.
      expect(created.data.metadata?.creationTimestamp).toBe('2026-01-01T00:00:00Z');
      await api.request(JsonMethod.GET, resourcePath('ns', 'pods'), { query: { labelSelector: 'a=b,c in (d)', limit: 500, continue: undefined } });
      await api.request(JsonMethod.PATCH, resourcePath('ns', 'pods', 'p'), { body: { metadata: { annotations: { k: null } } }, contentType: MERGE_PATCH });
      const err = toKubeError(await api.request(JsonMethod.DELETE, resourcePath('ns', 'pods', 'p'), { body: { preconditions: { uid: 'u1' } } }).catch((e: unknown) => e));
      expect(err.status).toBe(409);
      expect(err.message).toMatch(/Precondition failed/);
    } finally {
      auth.destroy();
      server.close();
    }
    expect(seen.map((r) => [r.method, r.url, r.type])).toEqual([
      ['POST', '/api/v1/namespaces/ns%201/pods', 'application/json'],
      ['GET', '/api/v1/namespaces/ns/pods?labelSelector=a%3Db%2Cc+in+%28d%29&limit=500', undefined],
      ['PATCH', '/api/v1/namespaces/ns/pods/p', MERGE_PATCH],
      ['DELETE', '/api/v1/namespaces/ns/pods/p', 'application/json'],
    ]);
    expect(seen.every((r) => r.authz === 'Bearer tok')).toBe(true);
    expect(JSON.parse(seen[2]!.body)).toEqual({ metadata: { annotations: { k: null } } });
    expect(JSON.parse(seen[3]!.body)).toEqual({ preconditions: { uid: 'u1' } });
  });
});

function kubeconfigHttp(server = 'http://127.0.0.1:8080', token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', ...(token ? { token } : {}) }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

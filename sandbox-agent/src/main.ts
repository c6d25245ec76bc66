// Process wiring: config → Kubernetes client → caches → HTTP server, leader election and
// reaper; orderly shutdown on SIGTERM/SIGINT.

import { hostname } from 'node:os';
import type { V1OwnerReference } from '@kubernetes/client-node';
import { pino } from 'pino';
import { ApiKeyChecker } from './auth.js';
import { SandboxCache } from './cache.js';
import { loadConfig } from './config.js';
import { ConfigError, isNotFound } from './errors.js';
import { KubeClient } from './kube.js';
import { loadKubeConfig } from './kubeconfig.js';
import { LeaderElector } from './lease.js';
import { createMetrics } from './metrics.js';
import { ownershipLeases } from './ownership.js';
import { ownerReferenceTo } from './podspec.js';
import { Reaper } from './reaper.js';
import { buildApp } from './routes.js';
import { SandboxService } from './sandboxes.js';

async function main(): Promise<void> {
  const env = process.env;
  let cfg;
  try {
    cfg = loadConfig(env, `${hostname()}-${process.pid}`);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: `invalid configuration: ${err.message}`, variable: err.variable })}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: cfg.logLevel, base: { service: 'sandbox-agent', pid: process.pid } });
  const metrics = createMetrics();

  const { kc, source, tlsVerifyDisabled } = loadKubeConfig(cfg, env);
  if (tlsVerifyDisabled) log.warn({ server: cfg.k8sApiServer }, 'K8S_API_SERVER set: TLS verification of the API server is disabled');
  const kube = new KubeClient(kc, cfg.namespace, metrics, cfg.kubeQps, cfg.kubeBurst);
  log.info({ source, namespace: cfg.namespace, mode: cfg.serviceMode }, 'starting sandbox agent');

  // Upstream creates the namespace if missing. With a least-privilege Role we may not even be
  // allowed to read it; that is fine, the chart created it.
  try {
    await kube.readNamespace();
  } catch (err) {
    if (isNotFound(err)) {
      await kube.createNamespace({ 'app.kubernetes.io/name': 'deer-flow', 'app.kubernetes.io/component': 'sandbox' });
      log.info({ namespace: cfg.namespace }, 'created namespace');
    } else {
      log.debug({ err }, 'cannot read namespace; assuming it exists');
    }
  }

  let ownerReference: V1OwnerReference | undefined;
  if (cfg.ownerConfigMap !== '') {
    ownerReference = ownerReferenceTo(await kube.readConfigMap(cfg.ownerConfigMap), cfg.ownerConfigMap);
  } else {
    log.warn('SANDBOX_AGENT_OWNER_CONFIGMAP is empty: sandboxes get no ownerReference and survive helm uninstall');
  }

  const cache = new SandboxCache(kube, log, cfg.serviceMode !== 'Headless');
  await cache.start(cfg.cacheSyncTimeoutSeconds * 1000);
  const sandboxes = new SandboxService(cfg, kube, cache, metrics, log, ownerReference);
  // Connects on the first reaper pass that has an idle or released candidate (leader only).
  const leases = ownershipLeases(cfg.ownership, log);
  if (cfg.ownership) log.info({ redis: cfg.ownership.where, key_prefix: cfg.ownership.keyPrefix }, 'idle and released TTL reaps honour DeerFlow ownership leases');
  else log.info('SANDBOX_AGENT_OWNERSHIP_REDIS_URL unset: TTL reaps do not check DeerFlow ownership leases');
  const reaper = new Reaper(cfg, kube, cache, sandboxes, metrics, log, leases);
  const elector = new LeaderElector(kube, cfg.leaseName, cfg.holderIdentity, cfg.leaseDurationSeconds, log, metrics, {
    onStartedLeading: () => reaper.start(),
    onStoppedLeading: () => void reaper.stop(),
  });

  let lastProbe = { at: 0, ok: false, detail: 'not probed' };
  const readiness = {
    async ready(): Promise<{ ok: boolean; detail: string }> {
      if (!cache.synced) return { ok: false, detail: 'caches not synced' };
      if (Date.now() - lastProbe.at > 2000) {
        try {
          await kube.serverVersion();
          lastProbe = { at: Date.now(), ok: true, detail: 'ok' };
        } catch (err) {
          lastProbe = { at: Date.now(), ok: false, detail: `API server unreachable: ${(err as Error).message}` };
        }
      }
      return { ok: lastProbe.ok, detail: lastProbe.detail };
    },
  };

  const app = buildApp({ cfg, log, metrics, auth: new ApiKeyChecker(cfg.apiKeys), sandboxes, readiness });
  if (cfg.apiKeys.length === 0) log.warn('no API key configured: every /api/* request is rejected with 401');
  await app.listen({ port: cfg.port, host: cfg.host });
  elector.start();

  let shuttingDown = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down: draining requests and releasing the lease');
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    // Long ?wait=ready requests are answered (not ready) after a short grace instead of holding shutdown.
    const releaseWaiters = setTimeout(() => void cache.stop(), 3000);
    await Promise.all([app.close(), elector.stop(), reaper.stop()]);
    clearTimeout(releaseWaiters);
    await Promise.all([cache.stop(), leases.close()]);
    kube.close();
    log.info('stopped');
    log.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  const e = err as Error & { variable?: string };
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: `startup failed: ${e.message}`, ...(e.variable ? { variable: e.variable } : {}) })}\n`);
  process.exit(1);
});

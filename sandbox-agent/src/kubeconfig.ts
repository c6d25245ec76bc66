// Where the Kubernetes credentials come from (upstream rules for KUBECONFIG_PATH and
// K8S_API_SERVER, plus KUBECONFIG for running outside a cluster), without upstream's 30 s wait.

import { existsSync, statSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { Config } from './config.js';
import { ConfigError } from './errors.js';

export interface KubeConfigSource {
  kc: KubeConfig;
  source: string;
  tlsVerifyDisabled: boolean;
}

export function loadKubeConfig(cfg: Config, env: Readonly<Record<string, string | undefined>>): KubeConfigSource {
  const kc = new KubeConfig();
  const explicit = cfg.kubeconfigPathExplicit;
  let source: string;
  if (explicit || (!env['KUBECONFIG'] && existsSync(cfg.kubeconfigPath))) {
    const p = cfg.kubeconfigPath;
    if (existsSync(p)) {
      const st = statSync(p);
      if (st.isDirectory()) throw new ConfigError('KUBECONFIG_PATH', `points to a directory, expected a file: ${p}`);
      if (!st.isFile()) throw new ConfigError('KUBECONFIG_PATH', `exists but is not a regular file: ${p}`);
      kc.loadFromFile(p);
      source = p;
    } else if (env['KUBERNETES_SERVICE_HOST']) {
      kc.loadFromCluster();
      source = 'in-cluster';
    } else {
      throw new ConfigError('KUBECONFIG_PATH', `no kubeconfig at ${p} and not running in a cluster`);
    }
  } else if (env['KUBECONFIG']) {
    kc.loadFromDefault();
    source = `KUBECONFIG=${env['KUBECONFIG']}`;
  } else if (env['KUBERNETES_SERVICE_HOST']) {
    kc.loadFromCluster();
    source = 'in-cluster';
  } else {
    throw new ConfigError('KUBECONFIG_PATH', `no kubeconfig at ${cfg.kubeconfigPath}, KUBECONFIG unset and not running in a cluster`);
  }
  if (!kc.getCurrentCluster()) throw new ConfigError('KUBECONFIG_PATH', `kubeconfig from ${source} has no current cluster`);
  let tlsVerifyDisabled = false;
  if (cfg.k8sApiServer) {
    // Upstream semantics: override the server and skip TLS verification (logged loudly by main).
    const current = kc.getCurrentCluster();
    kc.loadFromOptions({
      clusters: kc.clusters.map((c) => (c.name === current?.name ? { ...c, server: cfg.k8sApiServer as string, skipTLSVerify: true } : c)),
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });
    tlsVerifyDisabled = true;
  }
  return { kc, source, tlsVerifyDisabled };
}

/** Release-wide values: naming, global image settings, labels, cluster domain. */
import { arr, bool, group, obj, patterns, str } from './builders.js';
import { registryHost } from './formats.js';
import * as k8s from './k8s.js';
import type { ValueNode } from './types.js';

export const common: Record<string, ValueNode> = {
  global: group('Settings shared by every workload.', {
    imageRegistry: str('', 'Registry host[:port] that replaces every image\'s `registry` (air-gapped mirrors); no scheme, no path.', { pattern: registryHost }),
    imagePullSecrets: arr([], 'Names of image pull Secrets added to every Pod, including sandbox Pods.', { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
    storageClass: str('', 'Default StorageClass for every PVC the chart creates (home volume, Postgres and Redis data) whose own `storageClass` is empty. Empty: the cluster default.', { pattern: patterns.dnsSubdomain }),
    openshift: bool(false, 'Drop fixed `runAsUser`/`runAsGroup`/`fsGroup` so OpenShift\'s restricted SCC can assign them.'),
  }, 'Global'),
  nameOverride: str('', 'Replaces the chart name in object names.', { pattern: patterns.dnsLabel, maxLength: 40 }),
  fullnameOverride: str('', 'Replaces the release-scoped base name of every object.', { pattern: patterns.dnsLabel, maxLength: 40 }),
  commonLabels: obj({}, 'Labels added to every object.', k8s.labels),
  commonAnnotations: obj({}, 'Annotations added to every object.', k8s.annotations),
  extraObjects: arr([], 'Extra objects deployed with the release. Each item is a map or a YAML string and goes through `tpl`, so it may use template expressions such as `{{ .Release.Name }}`.', { type: ['object', 'string'] }),
  clusterDomain: str('cluster.local', 'Kubernetes cluster DNS domain.', { pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
};

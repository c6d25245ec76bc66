/** The gateway's DEER_FLOW_HOME volume; sandboxes mount their thread data from it. */
import { bool, enumOf, group, patterns, str } from './builders.js';
import { byteQuantity } from './formats.js';
import type { ValueNode } from './types.js';

export const persistence: Record<string, ValueNode> = {
  persistence: group('Storage for DEER_FLOW_HOME (memory, agents, per-thread user data).', {
    allowHostPath: bool(false, 'Allow hostPath volumes (single-node dev clusters such as kind). Every hostPath mode fails to render without it.'),
    home: group('The home volume, mounted at /app/backend/.deer-flow with subPath `deer-flow`.', {
      mode: enumOf(['pvc', 'emptyDir', 'hostPath'], 'pvc', '`pvc` (default), `emptyDir` (data lost with the Pod) or `hostPath` (needs `allowHostPath`).'),
      existingClaim: str('', 'Use this PVC instead of creating one (`mode: pvc`).', { pattern: patterns.dnsSubdomain }),
      storageClass: str('', 'StorageClass for the created PVC (empty uses the cluster default).', { pattern: patterns.dnsSubdomain }),
      accessMode: enumOf(['ReadWriteOnce', 'ReadWriteMany'], 'ReadWriteOnce', 'Access mode. Sandboxes and more than one gateway replica need ReadWriteMany.'),
      size: str('10Gi', 'Size of the created PVC.', { pattern: byteQuantity }),
      keep: bool(true, 'Annotate the PVC with `helm.sh/resource-policy: keep` so uninstall does not delete user data.'),
      hostPath: str('/var/local/antler', 'Host directory for `mode: hostPath`; the release uses `<hostPath>/<namespace>/<release>`.', { pattern: patterns.absPath }),
    }),
  }, 'Persistence'),
};

/** Ingress in front of nginx. Off by default: the first-admin setup must not be published before it is done. */
import { bool, enumOf, group, obj, patterns, str } from './builders.js';
import * as k8s from './k8s.js';
import type { ValueNode } from './types.js';

export const ingress: Record<string, ValueNode> = {
  ingress: group('Ingress to the nginx Service. Off by default: complete the first-admin setup (POST /api/v1/auth/initialize) through a port-forward first.', {
    enabled: bool(false, 'Create an Ingress.'),
    className: str('nginx', 'IngressClass name.', { pattern: patterns.dnsSubdomain }),
    host: str('', 'Host name (empty matches any host).', { pattern: '^(\\*\\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$' }),
    path: str('/', 'Path.', { pattern: '^/' }),
    pathType: enumOf(['Prefix', 'ImplementationSpecific', 'Exact'], 'Prefix', 'Path type.'),
    bodySizeAnnotations: bool(true, 'Add ingress-nginx annotations that match nginx\'s body-size and streaming limits (proxy-body-size, timeouts, buffering off).'),
    annotations: obj({}, 'Extra Ingress annotations.', k8s.annotations),
    tls: group('TLS for the Ingress host.', {
      enabled: bool(false, 'Enable TLS.'),
      secretName: str('', 'TLS Secret name (defaults to `<fullname>-tls`).', { pattern: patterns.dnsSubdomain }),
    }),
  }, 'Ingress'),
};

/** Ingress in front of nginx. Off by default: the first-admin setup must not be published before it is done. */
import { arr, bool, enumOf, group, obj, patterns, str } from './builders.js';
import * as k8s from './k8s.js';
import type { ValueNode } from './types.js';

/** An Ingress host: a DNS name, optionally a leading wildcard. */
const HOST = '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export const ingress: Record<string, ValueNode> = {
  ingress: group('Ingress to the nginx Service. Off by default: complete the first-admin setup (POST /api/v1/auth/initialize) through a port-forward first.', {
    enabled: bool(false, 'Create an Ingress.'),
    className: str('nginx', 'IngressClass name.', { pattern: patterns.dnsSubdomain }),
    host: str('', 'Host name (empty matches any host).', { pattern: `^(${HOST.slice(1, -1)})?$` }),
    path: str('/', 'Path.', { pattern: '^/' }),
    pathType: enumOf(['Prefix', 'ImplementationSpecific', 'Exact'], 'Prefix', 'Path type.'),
    bodySizeAnnotations: bool(true, 'Add ingress-nginx annotations that match nginx\'s body-size and streaming limits (proxy-body-size, timeouts, buffering off).'),
    annotations: obj({}, 'Extra Ingress annotations.', k8s.annotations),
    tls: group('TLS for the Ingress host.', {
      enabled: bool(false, 'Enable TLS.'),
      secretName: str('', 'TLS Secret name (defaults to `<fullname>-tls`).', { pattern: patterns.dnsSubdomain }),
    }),
    extraHosts: arr([], 'More hosts routed to nginx: `{name, path: /, pathType: Prefix}`.', {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: HOST },
        path: { type: 'string', pattern: '^/', default: '/' },
        pathType: { type: 'string', enum: ['Prefix', 'ImplementationSpecific', 'Exact'], default: 'Prefix' },
      },
    }),
    extraTls: arr([], 'More TLS entries: `{hosts: [...], secretName}` (e.g. a certificate for `extraHosts`).', {
      type: 'object',
      additionalProperties: false,
      required: ['hosts', 'secretName'],
      properties: {
        hosts: { type: 'array', minItems: 1, items: { type: 'string', pattern: HOST } },
        secretName: { type: 'string', pattern: patterns.dnsSubdomain, minLength: 1 },
      },
    }),
  }, 'Ingress'),
};

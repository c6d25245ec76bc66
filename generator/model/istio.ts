/**
 * Istio: a Gateway + VirtualService for DeerFlow's own ingress, and weighted LLM provider routing
 * (ServiceEntry per provider, one VirtualService splitting a mesh-internal host by weight, a
 * DestinationRule per provider for TLS origination, connection pool and outlier detection).
 */
import { arr, bool, group, int, obj, patterns, str } from './builders.js';
import * as k8s from './k8s.js';
import type { JsonSchema, ValueNode } from './types.js';

const duration = '^[0-9]+(ms|s|m|h)$';
const hostname = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$';

const provider: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'host', 'weight'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 20, description: 'Short provider id (object names).' },
    host: { type: 'string', pattern: hostname, description: 'External host name, e.g. `relay.example.com`.' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 443, description: 'Port the provider listens on (443).' },
    tls: { type: 'boolean', default: true, description: 'Originate TLS to the provider (DestinationRule `tls.mode: SIMPLE`).' },
    weight: { type: 'integer', minimum: 0, maximum: 100, description: 'Percent of requests (all weights sum to 100).' },
  },
};

function retries(attempts: number, perTry: string): ValueNode {
  return group('Retries (`retries`).', {
    attempts: int(attempts, 'Retry attempts (0 disables).', { minimum: 0, maximum: 10 }),
    perTryTimeout: str(perTry, 'Timeout per attempt.', { pattern: duration }),
    retryOn: str('gateway-error,connect-failure,refused-stream', 'Envoy retry conditions.', { pattern: '^[a-z0-9-]+(,[a-z0-9-]+)*$' }),
  });
}

export const istio: Record<string, ValueNode> = {
  istio: group('Istio resources (need Istio\'s CRDs; the `networking.istio.io/v1` API, Istio 1.22+).', {
    ingress: group('Istio Gateway and VirtualService for DeerFlow\'s own ingress (to the nginx Service). An alternative to `ingress`.', {
      enabled: bool(false, 'Create the VirtualService (and the Gateway when `gateway.create`).'),
      hosts: arr([], 'Host names the VirtualService (and Gateway) serve. Required.', { type: 'string', pattern: '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' }),
      gateway: group('The Istio Gateway.', {
        create: bool(true, 'Create a Gateway in the release namespace; otherwise attach to `existing`.'),
        existing: str('', 'Existing Gateway as `namespace/name` (when `create` is false).', { pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$' }),
        selector: obj({ istio: 'ingressgateway' }, 'Labels of the ingress gateway Pods.', k8s.labels),
        credentialName: str('', 'TLS Secret (in the ingress gateway\'s namespace). Set: HTTPS on 443 and HTTP redirected; empty: HTTP on 80.', { pattern: patterns.dnsSubdomain }),
      }),
      requestTimeout: str('120s', 'Timeout for ordinary routes. Streaming routes (SSE, WebSocket, uploads) get `nginx.proxyTimeoutSeconds`, the same limit nginx applies.', { pattern: duration }),
      streamingPrefixes: arr(['/api/langgraph/', '/api/threads/'], 'Path prefixes of the streaming routes (LangGraph SSE runs, thread streams, the browser WebSocket, uploads).', { type: 'string', pattern: '^/' }),
      retries: retries(2, '30s'),
    }),
    llm: group('Weighted LLM provider routing. Models with `viaMesh: true` call `http://<release>-llm.<namespace>.svc/<basePath>`; the sidecar splits those calls across `providers` by weight and originates TLS. A migration phase (5 → 25 → 75 → 100) is one `helm upgrade` with new weights. Providers in one split must accept the same API key and API.', {
      enabled: bool(false, 'Create the mesh-internal LLM Service, the ServiceEntries, the VirtualService and the DestinationRules.'),
      basePath: str('/v1', 'Path prefix of the OpenAI-compatible API on every provider.', { pattern: '^(/[A-Za-z0-9._~-]+)*$' }),
      providers: arr([], 'Providers: `{name, host, port: 443, tls: true, weight}`. Weights are integers 0–100 and must sum to 100.', provider),
      timeout: str('300s', 'Overall request timeout (including retries).', { pattern: duration }),
      retries: retries(3, '120s'),
      connectionPool: group('DestinationRule `connectionPool` per provider.', {
        maxConnections: int(100, '`tcp.maxConnections`.', { minimum: 1, maximum: 100000 }),
        connectTimeout: str('10s', '`tcp.connectTimeout`.', { pattern: duration }),
        http1MaxPendingRequests: int(128, '`http.http1MaxPendingRequests`.', { minimum: 1, maximum: 100000 }),
        http2MaxRequests: int(512, '`http.http2MaxRequests`.', { minimum: 1, maximum: 100000 }),
        idleTimeout: str('300s', '`http.idleTimeout`.', { pattern: duration }),
      }),
      outlierDetection: group('DestinationRule `outlierDetection` per provider. Ejects failing endpoints of that provider only; it never moves the provider\'s weighted share elsewhere (see the chart README).', {
        consecutive5xxErrors: int(5, '5xx responses before an endpoint is ejected.', { minimum: 1, maximum: 1000 }),
        consecutiveGatewayErrors: int(3, '502/503/504 and connect errors before ejection.', { minimum: 1, maximum: 1000 }),
        interval: str('30s', 'Analysis interval.', { pattern: duration }),
        baseEjectionTime: str('60s', 'Minimum ejection duration.', { pattern: duration }),
        maxEjectionPercent: int(100, 'Highest share of a provider\'s endpoints that may be ejected.', { minimum: 0, maximum: 100 }),
      }),
    }),
  }, 'Istio'),
};

/**
 * Bad values are rejected by `helm template` with a message that names the field: schema
 * violations (values.schema.json, reported as JSON pointers) and render-time guards (`fail`,
 * reported as dotted paths). Runs with Helm 4 (primary) and a sample with Helm 3.
 */
import { describe, expect, it } from 'vitest';
import { CHART_DIR, helmBinary, mapLimit, run, type HelmMajor } from './test-tools.js';

interface BadCase {
  readonly name: string;
  readonly args: readonly string[];
  /** The field as it must appear in the error (JSON pointer for schema, dotted for guards). */
  readonly field: string;
  /** Extra text the message must contain. */
  readonly detail?: string;
}

const set = (...pairs: string[]): string[] => pairs.flatMap((p) => ['--set', p]);
const setJson = (...pairs: string[]): string[] => pairs.flatMap((p) => ['--set-json', p]);

const schemaCases: BadCase[] = [
  { name: 'unpinned image tag', args: set('gateway.image.tag=latest'), field: "'/gateway/image/tag'", detail: "'not' failed" },
  { name: 'negative replica count', args: set('gateway.replicaCount=-1'), field: "'/gateway/replicaCount'" },
  { name: 'unknown key (typo)', args: set('gateway.replicas=2'), field: "'/gateway'", detail: "additional properties 'replicas' not allowed" },
  { name: 'unsupported nginx Service type', args: set('nginx.service.type=ExternalName'), field: "'/nginx/service/type'" },
  { name: 'unsupported sandbox Service type', args: set('sandbox.serviceType=LoadBalancer'), field: "'/sandbox/serviceType'" },
  { name: 'too short sandbox API key', args: set('sandbox.apiKey=short'), field: "'/sandbox/apiKey'" },
  { name: 'invalid access mode', args: set('persistence.home.accessMode=ReadOnlyMany'), field: "'/persistence/home/accessMode'" },
  { name: 'model without `use`', args: setJson('deerflow.models=[{"name":"m","model":"x"}]'), field: "'/deerflow/models/0'", detail: "missing property 'use'" },
  { name: 'model `use` not a class path', args: setJson('deerflow.models=[{"name":"m","model":"x","use":"ChatOpenAI"}]'), field: "'/deerflow/models/0/use'" },
  { name: 'unknown postgres mode', args: set('postgresql.mode=sqlite'), field: "'/postgresql/mode'" },
  { name: 'resource quantity', args: set('gateway.resources.requests.cpu=lots'), field: "'/gateway/resources/requests/cpu'" },
  { name: 'ingress host', args: set('ingress.host=Bad_Host'), field: "'/ingress/host'" },
  { name: 'nginx body size', args: set('nginx.clientMaxBodySize=20 MB'), field: "'/nginx/clientMaxBodySize'" },
  { name: 'negative sandbox cap', args: set('sandbox.limits.maxSandboxes=-5'), field: "'/sandbox/limits/maxSandboxes'" },
  { name: 'malformed digest', args: set('gateway.image.digest=sha256:xyz'), field: "'/gateway/image/digest'" },
  { name: 'unknown securityContext field', args: set('frontend.containerSecurityContext.privilegedd=true'), field: "'/frontend/containerSecurityContext'", detail: "'privilegedd'" },
  { name: 'topology spread maxSkew 0', args: setJson('gateway.topologySpreadConstraints=[{"maxSkew":0,"topologyKey":"zone","whenUnsatisfiable":"ScheduleAnyway"}]'), field: "'/gateway/topologySpreadConstraints/0/maxSkew'" },
  { name: 'short JWT secret', args: set('deerflow.auth.jwtSecret=short'), field: "'/deerflow/auth/jwtSecret'" },
  { name: 'pull secret name', args: setJson('global.imagePullSecrets=["Bad!"]'), field: "'/global/imagePullSecrets/0'" },
  { name: 'lark image on :latest', args: set('sandbox.lark.initImage=example.com/lark-init:latest'), field: "'/sandbox/lark/initImage'" },
  { name: 'provider key name', args: set('deerflow.providers.apiKeys.bad-name=x'), field: "'/deerflow/providers/apiKeys'", detail: "'bad-name' not allowed" },
  { name: 'probe period 0', args: set('nginx.readinessProbe.periodSeconds=0'), field: "'/nginx/readinessProbe/periodSeconds'" },
  { name: 'LLM weight above 100', args: set('istio.llm.enabled=true', 'istio.llm.providers[0].name=a', 'istio.llm.providers[0].host=a.example.com', 'istio.llm.providers[0].weight=150'), field: "'/istio/llm/providers/0/weight'" },
  { name: 'fractional LLM weight', args: setJson('istio.llm.providers=[{"name":"a","host":"a.example.com","weight":50.5},{"name":"b","host":"b.example.com","weight":49.5}]'), field: "'/istio/llm/providers/0/weight'" },
  { name: 'HPA maxReplicas 0', args: set('frontend.autoscaling.maxReplicas=0'), field: "'/frontend/autoscaling/maxReplicas'" },
  { name: 'quota quantity', args: set('resourceQuota.requests.cpu=lots'), field: "'/resourceQuota/requests/cpu'" },
  { name: 'NetworkPolicy CIDR', args: set('networkPolicy.clusterCidrs[0]=10.0.0.0'), field: "'/networkPolicy/clusterCidrs/0'" },
  { name: 'PSA level', args: set('sandbox.podSecurity.enforce=strict'), field: "'/sandbox/podSecurity/enforce'" },
];

const guardCases: BadCase[] = [
  { name: 'sandbox without a key', args: set('sandbox.enabled=true', 'persistence.home.accessMode=ReadWriteMany'), field: 'sandbox.apiKey:' },
  { name: 'replicas without multi-worker prerequisites', args: set('gateway.replicaCount=3'), field: 'gateway.replicaCount:', detail: 'missing: postgresql.mode=bundled|external' },
  { name: 'bundled postgres without password', args: set('postgresql.mode=bundled'), field: 'postgresql.auth.password:' },
  { name: 'bundled redis without password', args: set('redis.mode=bundled'), field: 'redis.auth.password:' },
  { name: 'hostPath home not allowed', args: set('persistence.home.mode=hostPath'), field: 'persistence.home.mode:' },
  { name: 'model key missing from provider keys', args: setJson('deerflow.models=[{"name":"m","use":"langchain_openai:ChatOpenAI","model":"x","apiKeyEnv":"NOPE"}]'), field: 'deerflow.models[0].apiKeyEnv:' },
  { name: 'sandboxes on ReadWriteOnce home', args: set('sandbox.enabled=true', 'sandbox.apiKey=0123456789abcdef'), field: 'persistence.home.accessMode:' },
  { name: 'TLS without host', args: set('ingress.enabled=true', 'ingress.tls.enabled=true'), field: 'ingress.host:' },
  { name: 'redis bridge without redis', args: set('deerflow.config.streamBridge=redis'), field: 'deerflow.config.streamBridge:' },
  { name: 'nodePort on ClusterIP', args: set('nginx.service.nodePort=30080'), field: 'nginx.service.nodePort:' },
  { name: 'HPA and KEDA both on', args: set('frontend.autoscaling.hpa.enabled=true', 'frontend.autoscaling.keda.enabled=true'), field: 'frontend.autoscaling.keda.enabled:', detail: 'mutually exclusive' },
  { name: 'autoscaled gateway without multi-worker prerequisites', args: set('gateway.autoscaling.hpa.enabled=true'), field: 'gateway.autoscaling.maxReplicas:', detail: 'missing: postgresql.mode=bundled|external' },
  { name: 'LLM weights not summing to 100', args: setJson('istio.llm.enabled=true', 'istio.llm.providers=[{"name":"a","host":"a.example.com","weight":60},{"name":"b","host":"b.example.com","weight":30}]'), field: 'istio.llm.providers:', detail: 'weights must sum to 100, got 90 (a=60, b=30)' },
  { name: 'LLM routing without providers', args: set('istio.llm.enabled=true'), field: 'istio.llm.providers:' },
  { name: 'viaMesh model without LLM routing', args: setJson('deerflow.providers.apiKeys={"K":"v"}', 'deerflow.models=[{"name":"m","use":"langchain_openai:ChatOpenAI","model":"x","viaMesh":true,"apiKeyEnv":"K"}]'), field: 'deerflow.models[0].viaMesh:' },
  { name: 'KEDA fallback without a Prometheus trigger', args: set('nginx.autoscaling.keda.enabled=true', 'nginx.autoscaling.keda.fallback.replicas=3'), field: 'nginx.autoscaling.keda.fallback.replicas:' },
  { name: 'LimitRange that rejects the chart\'s containers', args: set('limitRange.enabled=true'), field: 'nginx.resources.requests.cpu:', detail: 'below limitRange.min.cpu' },
  { name: 'sandbox NetworkPolicy without API server CIDRs', args: set('networkPolicy.enabled=true', 'sandbox.enabled=true', 'sandbox.apiKey=0123456789abcdef', 'persistence.home.accessMode=ReadWriteMany'), field: 'networkPolicy.apiServer.cidrs:' },
  { name: 'creating the release namespace as the sandbox namespace', args: set('sandbox.enabled=true', 'sandbox.apiKey=0123456789abcdef', 'persistence.home.accessMode=ReadWriteMany', 'sandbox.createNamespace=true'), field: 'sandbox.createNamespace:' },
  { name: 'Istio ingress without hosts', args: set('istio.ingress.enabled=true'), field: 'istio.ingress.hosts:' },
  { name: 'NodePort sandboxes without node host', args: set('sandbox.enabled=true', 'sandbox.apiKey=0123456789abcdef', 'persistence.home.accessMode=ReadWriteMany', 'sandbox.serviceType=NodePort'), field: 'sandbox.nodeHost:' },
];

async function render(major: HelmMajor, c: BadCase): Promise<{ code: number; output: string }> {
  const helm = await helmBinary(major);
  const r = await run(helm, ['template', 'bad', CHART_DIR, '-n', 'bad-values', '--kube-version', '1.34.0', ...c.args]);
  return { code: r.code, output: r.stdout + r.stderr };
}

describe('bad values are rejected by helm template with the field named', () => {
  const all = [...schemaCases, ...guardCases];

  it('covers at least 20 cases', () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
  });

  it.each([4, 3] as const)('helm %i', async (major) => {
    const cases = major === 4 ? all : all.filter((_, i) => i % 3 === 0);
    const results = await mapLimit(cases, 2, async (c) => ({ c, ...(await render(major, c)) }));
    const problems: string[] = [];
    for (const { c, code, output } of results) {
      if (code === 0) problems.push(`${c.name}: rendered without error`);
      else if (!output.includes(c.field)) problems.push(`${c.name}: error does not name ${c.field}:\n${output.slice(0, 400)}`);
      else if (c.detail !== undefined && !output.includes(c.detail)) problems.push(`${c.name}: error lacks "${c.detail}":\n${output.slice(0, 400)}`);
    }
    expect(problems).toEqual([]);
  });

  it('a guard failure reports every problem at once', async () => {
    const r = await render(4, { name: 'several', args: set('postgresql.mode=bundled', 'redis.mode=bundled', 'persistence.home.mode=hostPath'), field: '' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('postgresql.auth.password:');
    expect(r.output).toContain('redis.auth.password:');
    expect(r.output).toContain('persistence.home.mode:');
  });
});

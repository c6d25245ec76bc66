/**
 * Bad values are rejected by `helm template` with a message that names the field: schema
 * violations (values.schema.json, reported as JSON pointers) and render-time guards (`fail`,
 * reported as dotted paths). Tricky-but-valid values of the same classes render. Every case is
 * its own test, under Helm 4 and Helm 3.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CHART_DIR, REPO_ROOT, helmBinary, outcome, type HelmMajor } from './test-tools.js';

interface BadCase {
  readonly name: string;
  readonly args: readonly string[];
  /** The field as it must appear in the error (JSON pointer for schema, dotted for guards). */
  readonly field: string;
  /** Extra text the message must contain (the value, the numbers). */
  readonly detail?: string;
}

interface GoodCase {
  readonly name: string;
  readonly args: readonly string[];
  /** Text the rendered manifests must contain (the value reached the object as written). */
  readonly renders?: string;
}

const set = (...pairs: string[]): string[] => pairs.flatMap((p) => ['--set', p]);
/** Values files for cases `--set` cannot express (YAML numbers as Helm reads them from a file). */
const fixture = (name: string): string => join(REPO_ROOT, 'generator', 'bad-values', name);
const setJson = (...pairs: string[]): string[] => pairs.flatMap((p) => ['--set-json', p]);
/** Sandboxes on, with what they need to render (the release namespace is `bad-values`). */
const SANDBOX = set('sandbox.enabled=true', 'sandbox.apiKey=0123456789abcdef', 'persistence.home.accessMode=ReadWriteMany');
const QUOTA = set('resourceQuota.enabled=true');
/** A valid LLM gateway (generator/bad-values/llm-gateway.yaml) that each gateway case breaks once. */
const LLM = ['-f', fixture('llm-gateway.yaml')];

const schemaCases: BadCase[] = [
  { name: 'pre-puller priority not below the sandbox Pods\' 0', args: [...SANDBOX, ...set('sandbox.prePuller.priority=0')], field: "'/sandbox/prePuller/priority'" },
  { name: 'placeholder priority not below the sandbox Pods\' 0', args: [...SANDBOX, ...set('sandbox.placeholders.priority=5')], field: "'/sandbox/placeholders/priority'" },
  { name: 'pre-puller without a command', args: [...SANDBOX, ...setJson('sandbox.prePuller.command=[]')], field: "'/sandbox/prePuller/command'" },
  { name: 'negative placeholder count', args: [...SANDBOX, ...set('sandbox.placeholders.replicas=-1')], field: "'/sandbox/placeholders/replicas'" },
  { name: 'LLM gateway: group without deployments', args: [...LLM, ...setJson('llmGateway.modelGroups[0].deployments=[]')], field: "'/llmGateway/modelGroups/0/deployments'" },
  { name: 'LLM gateway: provider without CIDRs', args: [...LLM, ...setJson('llmGateway.providers[0].cidrs=[]')], field: "'/llmGateway/providers/0/cidrs'" },
  { name: 'LLM gateway: negative price', args: [...LLM, ...set('llmGateway.modelGroups[0].deployments[0].inputPricePerMillion=-1')], field: "'/llmGateway/modelGroups/0/deployments/0/inputPricePerMillion'" },
  { name: 'LLM gateway: master key without sk-', args: [...LLM, ...set('llmGateway.masterKey=0123456789abcdef')], field: "'/llmGateway/masterKey'" },
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
  { name: 'lark image without a tag', args: set('sandbox.lark.initImage=example.com/lark-init'), field: "'/sandbox/lark/initImage'" },
  { name: 'lark image with a scheme', args: set('sandbox.lark.brokerImage=https://example.com/lark:1.0.0'), field: "'/sandbox/lark/brokerImage'" },
  { name: 'provider key name', args: set('deerflow.providers.apiKeys.bad-name=x'), field: "'/deerflow/providers/apiKeys'", detail: "'bad-name' not allowed" },
  { name: 'probe period 0', args: set('nginx.readinessProbe.periodSeconds=0'), field: "'/nginx/readinessProbe/periodSeconds'" },
  { name: 'LLM weight above 100', args: set('istio.llm.enabled=true', 'istio.llm.providers[0].name=a', 'istio.llm.providers[0].host=a.example.com', 'istio.llm.providers[0].weight=150'), field: "'/istio/llm/providers/0/weight'" },
  { name: 'fractional LLM weight', args: setJson('istio.llm.providers=[{"name":"a","host":"a.example.com","weight":50.5},{"name":"b","host":"b.example.com","weight":49.5}]'), field: "'/istio/llm/providers/0/weight'" },
  { name: 'HPA maxReplicas 0', args: set('frontend.autoscaling.maxReplicas=0'), field: "'/frontend/autoscaling/maxReplicas'" },
  { name: 'quota quantity', args: set('resourceQuota.requests.cpu=lots'), field: "'/resourceQuota/requests/cpu'" },
  { name: 'NetworkPolicy CIDR without a prefix', args: set('networkPolicy.clusterCidrs[0]=10.0.0.0'), field: "'/networkPolicy/clusterCidrs/0'" },
  { name: 'CIDR prefix /33', args: set('networkPolicy.clusterCidrs[0]=10.0.0.0/33'), field: "'/networkPolicy/clusterCidrs/0'", detail: '10.0.0.0/33' },
  { name: 'CIDR octet above 255', args: set('networkPolicy.metadataCidrs[0]=169.254.169.256/32'), field: "'/networkPolicy/metadataCidrs/0'", detail: '169.254.169.256/32' },
  { name: 'IPv6 CIDR prefix /129', args: setJson('networkPolicy.internetCidrs=["::/129"]'), field: "'/networkPolicy/internetCidrs/0'" },
  { name: 'IPv6 CIDR with a triple colon', args: setJson('networkPolicy.clusterCidrs=["fd00:::/8"]'), field: "'/networkPolicy/clusterCidrs/0'" },
  { name: 'ipBlock CIDR in a peer', args: setJson('networkPolicy.ingressFrom=[{"ipBlock":{"cidr":"10.0.0.0/40"}}]'), field: "'/networkPolicy/ingressFrom/0/ipBlock/cidr'" },
  { name: 'trusted proxy that is not an address', args: setJson('deerflow.trustedProxies=["proxy.example.com"]'), field: "'/deerflow/trustedProxies/0'" },
  { name: 'nginx real-IP range with prefix /40', args: setJson('nginx.realIpFrom=["10.0.0.0/40"]'), field: "'/nginx/realIpFrom/0'" },
  { name: 'label value with a space', args: setJson('commonLabels={"team":"a b"}'), field: "'/commonLabels/team'", detail: "'a b'" },
  { name: 'label value longer than 63', args: setJson(`gateway.podLabels={"team":"${'a'.repeat(64)}"}`), field: "'/gateway/podLabels/team'" },
  { name: 'label key with two slashes', args: setJson('sandbox.pod.labels={"a/b/c":"x"}'), field: "'/sandbox/pod/labels'", detail: "'a/b/c' not allowed" },
  { name: 'label key prefix not a DNS subdomain', args: setJson('commonLabels={"Example.com/team":"x"}'), field: "'/commonLabels'" },
  { name: 'label key prefix longer than 253', args: setJson(`commonLabels={"${'abcdefghi.'.repeat(26)}io/team":"a"}`), field: 'commonLabels:', detail: 'prefix of 262 characters' },
  { name: 'annotation key with a space', args: setJson('commonAnnotations={"my note":"x"}'), field: "'/commonAnnotations'", detail: "'my note' not allowed" },
  { name: 'node selector value with a colon', args: setJson('frontend.nodeSelector={"pool":"a:b"}'), field: "'/frontend/nodeSelector/pool'" },
  { name: 'CPU with a binary suffix', args: set('gateway.resources.limits.cpu=1.5Gi'), field: "'/gateway/resources/limits/cpu'", detail: "'1.5Gi'" },
  { name: 'CPU with a byte suffix in the quota', args: set('resourceQuota.limits.cpu=64G'), field: "'/resourceQuota/limits/cpu'" },
  { name: 'memory in millibytes', args: set('sandbox.pod.resources.limits.memory=512m'), field: "'/sandbox/pod/resources/limits/memory'", detail: "'512m'" },
  { name: 'memory in e-notation', args: set('frontend.resources.limits.memory=1e9'), field: "'/frontend/resources/limits/memory'" },
  { name: 'fractional plain-byte memory', args: setJson('nginx.resources={"limits":{"memory":1.5}}'), field: "'/nginx/resources/limits/memory'" },
  { name: 'PVC size in millibytes', args: set('persistence.home.size=10m'), field: "'/persistence/home/size'" },
  { name: 'registry with a scheme', args: set('global.imageRegistry=https://registry.example.com'), field: "'/global/imageRegistry'", detail: 'https://registry.example.com' },
  { name: 'registry with a path', args: set('global.imageRegistry=registry.example.com/mirror'), field: "'/global/imageRegistry'" },
  { name: 'image registry with a scheme', args: set('gateway.image.registry=http://ghcr.io'), field: "'/gateway/image/registry'" },
  { name: 'sidecar without an image', args: setJson('gateway.sidecars=[{"name":"proxy"}]'), field: "'/gateway/sidecars/0'", detail: "missing property 'image'" },
  { name: 'sidecar name not a DNS label', args: setJson('gateway.sidecars=[{"name":"Proxy","image":"envoyproxy/envoy:v1.31.0"}]'), field: "'/gateway/sidecars/0/name'" },
  { name: 'sidecar memory in millibytes', args: setJson('gateway.sidecars=[{"name":"proxy","image":"envoyproxy/envoy:v1.31.0","resources":{"limits":{"memory":"64m"}}}]'), field: "'/gateway/sidecars/0/resources/limits/memory'" },
  { name: 'lifecycle hook with two actions', args: setJson('gateway.lifecycleHooks={"preStop":{"sleep":{"seconds":5},"exec":{"command":["true"]}}}'), field: "'/gateway/lifecycleHooks/preStop'" },
  { name: 'unknown lifecycle hook', args: setJson('gateway.lifecycleHooks={"onStart":{"sleep":{"seconds":5}}}'), field: "'/gateway/lifecycleHooks'" },
  { name: 'unknown dnsPolicy', args: set('frontend.dnsPolicy=ClusterLast'), field: "'/frontend/dnsPolicy'" },
  { name: 'four DNS nameservers', args: setJson('frontend.dnsConfig={"nameservers":["1.1.1.1","1.0.0.1","8.8.8.8","8.8.4.4"]}'), field: "'/frontend/dnsConfig/nameservers'" },
  { name: 'host alias without hostnames', args: setJson('nginx.hostAliases=[{"ip":"10.0.0.1"}]'), field: "'/nginx/hostAliases/0'" },
  { name: 'scheduler name with capitals', args: set('gateway.schedulerName=MyScheduler'), field: "'/gateway/schedulerName'" },
  { name: 'negative revisionHistoryLimit', args: set('postgresql.revisionHistoryLimit=-1'), field: "'/postgresql/revisionHistoryLimit'" },
  { name: 'extraObjects item that is a number', args: setJson('extraObjects=[42]'), field: "'/extraObjects/0'" },
  { name: 'global.storageClass not a DNS name', args: set('global.storageClass=Fast_SSD'), field: "'/global/storageClass'" },
  { name: 'Ingress extra host not a DNS name', args: setJson('ingress.extraHosts=[{"name":"Bad_Host"}]'), field: "'/ingress/extraHosts/0/name'" },
  { name: 'Ingress extra TLS without a Secret', args: setJson('ingress.extraTls=[{"hosts":["b.example.com"]}]'), field: "'/ingress/extraTls/0'", detail: "missing property 'secretName'" },
  { name: 'command that is not a list', args: setJson('nginx.command="nginx -g daemon off;"'), field: "'/nginx/command'" },
  { name: 'quota fit mode', args: set('resourceQuota.fit=ignore'), field: "'/resourceQuota/fit'" },
  { name: 'sandbox namespace suffix not a DNS label', args: set('sandbox.namespaceSuffix=Sbx'), field: "'/sandbox/namespaceSuffix'" },
  { name: 'PSA level', args: set('sandbox.podSecurity.enforce=strict'), field: "'/sandbox/podSecurity/enforce'" },
];

const guardCases: BadCase[] = [
  { name: 'pre-puller below the LimitRange min', args: [...SANDBOX, ...set('sandbox.prePuller.enabled=true', 'limitRange.enabled=true', 'limitRange.min.cpu=10m', 'limitRange.min.memory=16Mi')], field: 'sandbox.prePuller.resources.requests.cpu:', detail: '1m is below limitRange.min.cpu (10m)' },
  { name: 'quota pods without room for the placeholders', args: [...SANDBOX, ...QUOTA, ...set('sandbox.placeholders.replicas=5', 'sandbox.limits.maxSandboxes=20', 'resourceQuota.pods=30')], field: 'resourceQuota.pods:', detail: 'sandbox Pods 20 + sandbox placeholders 5' },
  { name: 'LLM gateway: compromised LiteLLM tag', args: [...LLM, ...set('llmGateway.image.tag=main-v1.82.7-stable')], field: 'llmGateway.image.tag:', detail: 'LiteLLM 1.82.7, a compromised release' },
  { name: 'LLM gateway: compromised 1.107.0', args: [...LLM, ...set('llmGateway.image.tag=v1.107.0')], field: 'llmGateway.image.tag:', detail: 'compromised' },
  { name: 'LLM gateway: floating tag even with a digest', args: [...LLM, ...set('llmGateway.image.tag=main-stable')], field: 'llmGateway.image.tag:', detail: '"main-stable" is a floating tag' },
  { name: 'LLM gateway: image without digest', args: [...LLM, ...set('llmGateway.image.digest=')], field: 'llmGateway.image.digest:', detail: 'pinned by digest' },
  { name: 'LLM gateway: unknown provider in a group', args: [...LLM, ...set('llmGateway.modelGroups[0].deployments[1].provider=c')], field: 'llmGateway.modelGroups[0].deployments[1].provider:', detail: '"c" is not in llmGateway.providers (a, b)' },
  { name: 'LLM gateway: price missing with the spend alert on', args: [...LLM, ...set('monitoring.prometheusRule.enabled=true', 'llmGateway.alerts.spendPerHour=20'), ...setJson('llmGateway.modelGroups[0].deployments[1]={"provider":"b","model":"gpt-y","inputPricePerMillion":1}')], field: 'llmGateway.modelGroups[0].deployments[1].outputPricePerMillion:', detail: 'spendPerHour=20' },
  { name: 'LLM gateway: weights leave a group empty', args: [...LLM, ...setJson('llmGateway.modelGroups[0].deployments=[{"provider":"a","model":"gpt-x","weight":0}]')], field: 'llmGateway.modelGroups[0].deployments:', detail: 'the group would be empty' },
  { name: 'LLM gateway: no model group', args: [...LLM, ...setJson('llmGateway.modelGroups=[]', 'deerflow.models=[]')], field: 'llmGateway.modelGroups:' },
  { name: 'LLM gateway: duplicate provider', args: [...LLM, ...set('llmGateway.providers[1].name=a')], field: 'llmGateway.providers[1].name:', detail: 'duplicate provider "a"' },
  { name: 'LLM gateway: provider key missing', args: [...LLM, ...setJson('llmGateway.apiKeys={"KEY_A":"a"}')], field: 'llmGateway.providers[1].apiKeyEnv:', detail: 'KEY_B' },
  { name: 'LLM gateway: no master key', args: [...LLM, ...set('llmGateway.masterKey=')], field: 'llmGateway.masterKey:' },
  { name: 'LLM gateway: cache without Redis', args: [...LLM, ...set('llmGateway.redis.mode=none', 'llmGateway.replicaCount=1', 'llmGateway.cache.enabled=true')], field: 'llmGateway.cache.enabled:' },
  { name: 'LLM gateway: replicas without shared Redis', args: [...LLM, ...set('llmGateway.redis.mode=none')], field: 'llmGateway.redis.mode:', detail: 'up to 3 replicas' },
  { name: 'LLM gateway: release Redis without one', args: [...LLM, ...set('llmGateway.redis.mode=release')], field: 'llmGateway.redis.mode:', detail: 'redis.mode=bundled or external' },
  { name: 'LLM gateway: DeerFlow model not a group', args: [...LLM, ...set('deerflow.models[0].model=gpt-x')], field: 'deerflow.models[0].model:', detail: 'not a model group of the LLM gateway (chat)' },
  { name: 'LLM gateway: DeerFlow timeout under the worst case', args: [...LLM, ...set('deerflow.models[0].requestTimeout=60')], field: 'deerflow.models[0].requestTimeout:', detail: "worst case for \"chat\" (606s)" },
  { name: 'LLM gateway: DeerFlow model with its own endpoint', args: [...LLM, ...set('deerflow.models[0].baseUrl=https://x.example/v1')], field: 'deerflow.models[0].baseUrl:' },
  { name: 'viaGateway without the gateway', args: setJson('deerflow.models=[{"name":"m","use":"langchain_openai:ChatOpenAI","model":"m","viaGateway":true}]'), field: 'deerflow.models[0].viaGateway:' },
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
  { name: 'floating tag latest', args: set('gateway.image.tag=latest'), field: 'gateway.image.tag:', detail: '"latest" is a floating tag' },
  { name: 'floating tag Latest', args: set('frontend.image.tag=Latest'), field: 'frontend.image.tag:', detail: '"Latest" is a floating tag' },
  { name: 'floating tag alpine', args: set('nginx.image.tag=alpine'), field: 'nginx.image.tag:', detail: '"alpine"' },
  { name: 'major-only tag', args: ['--set-string', 'postgresql.image.tag=16'], field: 'postgresql.image.tag:', detail: '"16"' },
  { name: 'floating sandbox image tag', args: set('sandbox.image.tag=stable'), field: 'sandbox.image.tag:' },
  { name: 'floating lark tag', args: set('sandbox.lark.initImage=example.com/lark-init:latest'), field: 'sandbox.lark.initImage:', detail: 'floating tag "latest"' },
  { name: 'floating lark tag behind a registry port', args: set('sandbox.lark.brokerImage=registry:5000/lark/broker:main'), field: 'sandbox.lark.brokerImage:', detail: '"main"' },
  { name: 'request above limit (cpu)', args: set('gateway.resources.requests.cpu=4'), field: 'gateway.resources.requests.cpu:', detail: '4 is above gateway.resources.limits.cpu (2)' },
  { name: 'request above limit (memory, plain bytes)', args: setJson('frontend.resources={"requests":{"memory":2147483648},"limits":{"memory":1073741824}}'), field: 'frontend.resources.requests.memory:', detail: '2147483648 is above frontend.resources.limits.memory (1073741824)' },
  { name: 'request above limit (ephemeral storage)', args: [...set('sandbox.enabled=true', 'sandbox.apiKey=0123456789abcdef', 'persistence.home.accessMode=ReadWriteMany'), ...setJson('sandbox.pod.resources={"requests":{"ephemeral-storage":"2Gi"},"limits":{"ephemeral-storage":"1Gi"}}')], field: 'sandbox.pod.resources.requests.ephemeral-storage:' },
  { name: 'sandbox Pod request above its limit', args: [...set('sandbox.enabled=true', 'sandbox.apiKey=0123456789abcdef', 'persistence.home.accessMode=ReadWriteMany'), ...setJson('sandbox.pod.resources={"requests":{"cpu":"2"},"limits":{"cpu":"1"}}')], field: 'sandbox.pod.resources.requests.cpu:' },
  { name: 'test Pod request above its limit', args: setJson('tests.resources={"requests":{"memory":"128Mi"},"limits":{"memory":"64Mi"}}'), field: 'tests.resources.requests.memory:' },
  { name: 'plain-byte memory limit above the LimitRange max', args: ['-f', fixture('plain-bytes-over-max.yaml')], field: 'gateway.resources.limits.memory:', detail: '40000000000 is above limitRange.max.memory (32Gi)' },
  { name: 'request above the LimitRange default limit', args: [...set('limitRange.enabled=true', 'limitRange.min.cpu=10m', 'limitRange.min.memory=16Mi'), ...setJson('nginx.resources={"requests":{"cpu":"50m","memory":"8Gi"},"limits":null}')], field: 'nginx.resources.requests.memory:', detail: 'above limitRange.default.memory (4Gi)' },
  { name: 'LimitRange default above its max', args: [...set('limitRange.enabled=true'), '--set-string', 'limitRange.default.cpu=16'], field: 'limitRange.default.cpu:', detail: '16 is above limitRange.max.cpu (8)' },
  { name: 'LimitRange min above defaultRequest', args: set('limitRange.enabled=true', 'limitRange.min.memory=4Gi'), field: 'limitRange.min.memory:' },
  { name: 'except outside its cidr', args: [...set('networkPolicy.enabled=true'), ...setJson('networkPolicy.extraEgress=[{"to":[{"ipBlock":{"cidr":"192.168.0.0/16","except":["10.1.0.0/16"]}}]}]')], field: 'networkPolicy.extraEgress[0].to[0].ipBlock.except[0]:', detail: '10.1.0.0/16 is not a strict subset of networkPolicy.extraEgress[0].to[0].ipBlock.cidr (192.168.0.0/16)' },
  { name: 'except equal to its cidr', args: [...set('networkPolicy.enabled=true'), ...setJson('networkPolicy.ingressFrom=[{"ipBlock":{"cidr":"10.0.0.0/8","except":["10.0.0.0/8"]}}]')], field: 'networkPolicy.ingressFrom[0].ipBlock.except[0]:' },
  { name: 'IPv6 except in an IPv4 cidr', args: [...set('networkPolicy.enabled=true'), ...setJson('networkPolicy.gateway.extraEgress=[{"to":[{"ipBlock":{"cidr":"10.0.0.0/8","except":["fd00::/8"]}}]}]')], field: 'networkPolicy.gateway.extraEgress[0].to[0].ipBlock.except[0]:' },
  { name: 'internet CIDR excluded whole', args: [...set('networkPolicy.enabled=true'), ...setJson('networkPolicy.internetCidrs=["10.0.0.0/16"]')], field: 'networkPolicy.internetCidrs[0]:', detail: '10.0.0.0/16 lies entirely inside networkPolicy.clusterCidrs[0] (10.0.0.0/8)' },
  { name: 'dnsPolicy None without nameservers', args: set('gateway.dnsPolicy=None'), field: 'gateway.dnsConfig.nameservers:' },
  { name: 'sidecar reusing the main container name', args: setJson('frontend.sidecars=[{"name":"frontend","image":"busybox:1.37.0"}]'), field: 'frontend.sidecars[0].name:', detail: 'already a container' },
  { name: 'two extra containers with one name', args: setJson('nginx.initContainers=[{"name":"x","image":"busybox:1.37.0"}]', 'nginx.sidecars=[{"name":"x","image":"busybox:1.37.0"}]'), field: 'nginx.sidecars[0].name:' },
  { name: 'sidecar on a floating tag', args: setJson('gateway.sidecars=[{"name":"proxy","image":"envoyproxy/envoy:latest"}]'), field: 'gateway.sidecars[0].image:', detail: 'not pinned' },
  { name: 'init container without a tag', args: [...set('redis.mode=bundled', 'redis.auth.password=pw'), ...setJson('redis.initContainers=[{"name":"wait","image":"busybox"}]')], field: 'redis.initContainers[0].image:' },
  { name: 'sidecar request above its limit', args: setJson('gateway.sidecars=[{"name":"proxy","image":"envoyproxy/envoy:v1.31.0","resources":{"requests":{"cpu":"1"},"limits":{"cpu":"100m"}}}]'), field: 'gateway.sidecars[0].resources.requests.cpu:' },
  { name: 'sidecar below the LimitRange min', args: [...set('limitRange.enabled=true', 'limitRange.min.cpu=10m', 'limitRange.min.memory=16Mi'), ...setJson('frontend.sidecars=[{"name":"tiny","image":"busybox:1.37.0","resources":{"requests":{"cpu":"1m","memory":"1Mi"},"limits":{"cpu":"10m","memory":"16Mi"}}}]')], field: 'frontend.sidecars[0].resources.requests.cpu:', detail: 'below limitRange.min.cpu' },
  { name: 'quota below the autoscaling maxima', args: [...QUOTA, ...set('frontend.autoscaling.hpa.enabled=true'), '--set-string', 'resourceQuota.limits.cpu=10'], field: 'resourceQuota.limits.cpu:', detail: '10 cannot hold what the chart runs at once, 28.2 (gateway 1 × 2 + frontend 25 × 1 + nginx 2 × 500m + helm test Pods 2 × 100m)' },
  { name: 'quota pods below replicas plus the rolling-update surge', args: [...QUOTA, ...set('nginx.replicaCount=4', 'resourceQuota.pods=9')], field: 'resourceQuota.pods:', detail: '9 cannot hold the 10 Pods the chart runs at once (gateway 1 + frontend 2 + nginx 5 + helm test Pods 2)' },
  { name: 'quota memory requests in plain bytes', args: [...QUOTA, '--set-string', 'resourceQuota.requests.memory=1000000000'], field: 'resourceQuota.requests.memory:', detail: '1000000000 cannot hold' },
  { name: 'quota with containers without limits and no LimitRange', args: [...QUOTA, ...setJson('nginx.resources={"requests":{"cpu":"50m","memory":"64Mi"},"limits":null}')], field: 'resourceQuota:', detail: 'nginx have containers without limits.cpu, limits.memory' },
  { name: 'sandbox quota pods below maxSandboxes', args: [...SANDBOX, ...set('sandbox.namespaceSuffix=sbx', 'sandbox.threadData.existingClaim=t', 'sandbox.quota.enabled=true', 'sandbox.limits.maxSandboxes=80')], field: 'sandbox.quota.pods:', detail: '50 cannot hold the 80 Pods the chart runs at once (sandbox Pods 80)' },
  { name: 'sandbox quota limits below maxSandboxes × the Pod limit', args: [...SANDBOX, ...set('sandbox.namespaceSuffix=sbx', 'sandbox.threadData.existingClaim=t', 'sandbox.quota.enabled=true'), '--set-string', 'sandbox.quota.limits.memory=40Gi'], field: 'sandbox.quota.limits.memory:', detail: '40Gi cannot hold what the chart runs at once, 50Gi (sandbox Pods 50 × 1Gi)' },
  { name: 'sandbox quota with unlimited sandboxes', args: [...SANDBOX, ...set('sandbox.quota.enabled=true', 'sandbox.limits.maxSandboxes=0')], field: 'sandbox.quota:', detail: 'maxSandboxes is 0 (unlimited)' },
  { name: 'sandbox quota with Lark containers that have no resources', args: [...SANDBOX, ...set('sandbox.namespaceSuffix=sbx', 'sandbox.threadData.existingClaim=t', 'sandbox.quota.enabled=true', 'sandbox.lark.initImage=lark/init:1.0.0')], field: 'sandbox.quota:', detail: 'the agent adds Lark containers without resources' },
  { name: 'sandbox namespace of another tenant', args: [...SANDBOX, ...set('sandbox.namespace=tenant-globex-sandboxes', 'sandbox.threadData.existingClaim=t')], field: 'sandbox.namespace:', detail: 'tenant-globex-sandboxes is neither the release namespace (bad-values) nor under it' },
  { name: 'sandbox namespace that is a prefix, not a child', args: [...SANDBOX, ...set('sandbox.namespace=bad-valuesx', 'sandbox.threadData.existingClaim=t')], field: 'sandbox.namespace:' },
  { name: 'sandbox namespace and suffix both set', args: [...SANDBOX, ...set('sandbox.namespace=bad-values-a', 'sandbox.namespaceSuffix=b', 'sandbox.threadData.existingClaim=t')], field: 'sandbox.namespaceSuffix:', detail: 'not both' },
  { name: 'derived sandbox namespace longer than 63', args: [...SANDBOX, ...set(`sandbox.namespaceSuffix=${'s'.repeat(53)}`, 'sandbox.threadData.existingClaim=t')], field: 'sandbox.namespaceSuffix:', detail: 'longer than 63 characters' },
  { name: 'admission policy off with sandboxes in the release namespace (D13)', args: [...SANDBOX, ...set('sandbox.admissionPolicy.enabled=false')], field: 'sandbox.admissionPolicy.enabled:', detail: 'D13' },
  { name: 'creating the release namespace through the suffix-less default', args: [...SANDBOX, ...set('sandbox.createNamespace=true', 'sandbox.namespace=bad-values')], field: 'sandbox.createNamespace:' },
  { name: 'NodePort sandboxes without node host', args: set('sandbox.enabled=true', 'sandbox.apiKey=0123456789abcdef', 'persistence.home.accessMode=ReadWriteMany', 'sandbox.serviceType=NodePort'), field: 'sandbox.nodeHost:' },
];

const goodCases: GoodCase[] = [
  { name: 'the pre-puller and placeholders with their PriorityClasses', args: [...SANDBOX, ...set('sandbox.prePuller.enabled=true', 'sandbox.placeholders.replicas=2')], renders: 'preemptionPolicy: Never' },
  { name: 'LLM gateway: valid two-provider group', args: LLM, renders: 'input_cost_per_token: 0.000003000000000' },
  { name: 'LLM gateway: a drained deployment is not rendered', args: [...LLM, ...set('llmGateway.modelGroups[0].deployments[1].weight=0')], renders: 'model_name: "chat"' },
  { name: 'a floating tag with a digest', args: set('gateway.image.tag=latest', `gateway.image.digest=sha256:${'a'.repeat(64)}`), renders: `ghcr.io/bytedance/deer-flow-backend:latest@sha256:${'a'.repeat(64)}` },
  { name: 'a lark image on a registry with a port', args: set('sandbox.enabled=true', 'sandbox.apiKey=0123456789abcdef', 'persistence.home.accessMode=ReadWriteMany', 'sandbox.lark.initImage=registry:5000/lark/cli-init:1.4.2'), renders: 'registry:5000/lark/cli-init:1.4.2' },
  { name: 'a lark image with a digest on a floating tag', args: set('sandbox.enabled=true', 'sandbox.apiKey=0123456789abcdef', 'persistence.home.accessMode=ReadWriteMany', `sandbox.lark.brokerImage=lark/broker:main@sha256:${'b'.repeat(64)}`), renders: `lark/broker:main@sha256:${'b'.repeat(64)}` },
  { name: 'a registry host with a port', args: set('global.imageRegistry=registry.example.com:5000'), renders: 'registry.example.com:5000/bytedance/deer-flow-backend:v2.1.0' },
  { name: 'plain-byte memory within the LimitRange (values file)', args: ['-f', fixture('plain-bytes-within.yaml')], renders: 'memory: 2147483648' },
  { name: 'fractional CPU and binary memory', args: setJson('gateway.resources={"requests":{"cpu":0.5,"memory":"1.5Gi"},"limits":{"cpu":"1500m","memory":"1.5Gi"}}'), renders: 'cpu: 1500m' },
  { name: 'request equal to its limit', args: setJson('frontend.resources={"requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"1000m","memory":"1024Mi"}}') },
  { name: 'request without a limit (no LimitRange)', args: setJson('nginx.resources={"requests":{"cpu":"8","memory":"16Gi"},"limits":null}'), renders: 'memory: 16Gi' },
  { name: 'IPv6 CIDRs and exceptions of both families', args: [...set('networkPolicy.enabled=true'), ...setJson('networkPolicy.internetCidrs=["0.0.0.0/0","::/0"]', 'networkPolicy.clusterCidrs=["10.0.0.0/8","fd00::/8","2001:db8:abcd::/48"]')], renders: '2001:db8:abcd::/48' },
  { name: 'exclusions outside a narrow internet CIDR are dropped', args: [...set('networkPolicy.enabled=true'), ...setJson('networkPolicy.internetCidrs=["203.0.113.0/24"]')], renders: 'cidr: 203.0.113.0/24' },
  { name: 'an except inside its cidr', args: [...set('networkPolicy.enabled=true'), ...setJson('networkPolicy.extraEgress=[{"to":[{"ipBlock":{"cidr":"192.168.0.0/16","except":["192.168.1.0/24"]}}]}]')], renders: '192.168.1.0/24' },
  { name: 'prefixed label keys, empty and dotted label values', args: setJson('commonLabels={"antler.dev/tenant":"acme","team":"","tier":"a.b_c-d"}'), renders: 'antler.dev/tenant: acme' },
  { name: 'a sidecar with a digest on a floating tag', args: setJson(`gateway.sidecars=[{"name":"proxy","image":"envoyproxy/envoy:latest@sha256:${'c'.repeat(64)}"}]`), renders: 'envoyproxy/envoy:latest@sha256:' },
  { name: 'a sidecar image on a registry with a port', args: setJson('gateway.sidecars=[{"name":"proxy","image":"registry:5000/envoy:v1.31.0"}]'), renders: 'registry:5000/envoy:v1.31.0' },
  { name: 'dnsPolicy None with a nameserver', args: [...set('gateway.dnsPolicy=None'), ...setJson('gateway.dnsConfig={"nameservers":["10.0.0.10"]}')], renders: 'dnsPolicy: None' },
  { name: 'extraObjects with template expressions', args: setJson('extraObjects=[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{ .Release.Name }}-x"}}]'), renders: 'bad-x' },
  { name: 'a wildcard extra Ingress host', args: [...set('ingress.enabled=true'), ...setJson('ingress.extraHosts=[{"name":"*.example.com"}]')], renders: 'host: "*.example.com"' },
  { name: 'a quota that holds replicas plus surge exactly', args: [...QUOTA, ...set('nginx.replicaCount=4', 'resourceQuota.pods=10')], renders: 'pods: "10"' },
  { name: 'fit=warn renders a quota that is too small', args: [...QUOTA, ...set('resourceQuota.fit=warn', 'resourceQuota.pods=2')], renders: 'kind: ResourceQuota' },
  { name: 'LimitRange defaults complete containers without limits under a quota', args: [...QUOTA, ...set('limitRange.enabled=true', 'limitRange.min.cpu=10m', 'limitRange.min.memory=16Mi'), ...setJson('nginx.resources={"requests":{"cpu":"50m","memory":"64Mi"},"limits":null}')], renders: 'kind: LimitRange' },
  { name: 'a sandbox quota that holds maxSandboxes exactly', args: [...SANDBOX, ...set('sandbox.namespaceSuffix=sbx', 'sandbox.threadData.existingClaim=t', 'sandbox.quota.enabled=true', 'sandbox.limits.maxSandboxes=64', 'sandbox.quota.pods=64'), '--set-string', 'sandbox.quota.limits.cpu=64,sandbox.quota.limits.memory=64Gi,sandbox.quota.requests.cpu=6400m,sandbox.quota.requests.memory=16Gi'], renders: 'pods: "64"' },
  { name: 'a sandbox namespace under the release namespace', args: [...SANDBOX, ...set('sandbox.namespace=bad-values-sandboxes', 'sandbox.threadData.existingClaim=t')], renders: 'namespace: bad-values-sandboxes' },
  { name: 'a sandbox namespace from the suffix', args: [...SANDBOX, ...set('sandbox.namespaceSuffix=sandboxes', 'sandbox.threadData.existingClaim=t', 'sandbox.createNamespace=true')], renders: 'name: bad-values-sandboxes' },
  { name: 'the admission policy off with a separate sandbox namespace', args: [...SANDBOX, ...set('sandbox.namespaceSuffix=sandboxes', 'sandbox.threadData.existingClaim=t', 'sandbox.admissionPolicy.enabled=false')], renders: 'kind: Role' },
  { name: 'the sandbox agent admission policy with sandboxes in the release namespace', args: SANDBOX, renders: 'kind: ValidatingAdmissionPolicyBinding' },
  { name: 'annotation values with spaces and punctuation', args: setJson('commonAnnotations={"example.com/owner":"Team A <a@example.com>"}'), renders: 'Team A <a@example.com>' },
];

async function render(major: HelmMajor, args: readonly string[]): Promise<{ code: number; output: string; stdout: string }> {
  const helm = await helmBinary(major);
  const r = await outcome(helm, ['template', 'bad', CHART_DIR, '-n', 'bad-values', '--kube-version', '1.34.0', ...args]);
  return { code: r.code, output: r.stdout + r.stderr, stdout: r.stdout };
}

describe.each([4, 3] as const)('helm %i', (major) => {
  it.concurrent.each([...schemaCases, ...guardCases])('rejects $name', async (c) => {
    const r = await render(major, c.args);
    expect(r.code, 'rendered without error').not.toBe(0);
    expect(r.output).toContain(c.field);
    if (c.detail !== undefined) expect(r.output).toContain(c.detail);
  });

  it.concurrent.each(goodCases)('accepts $name', async (c) => {
    const r = await render(major, c.args);
    expect(r.code, r.output.slice(0, 2000)).toBe(0);
    if (c.renders !== undefined) expect(r.stdout).toContain(c.renders);
  });

  it('a guard failure reports every problem at once', async () => {
    const r = await render(major, set('postgresql.mode=bundled', 'redis.mode=bundled', 'persistence.home.mode=hostPath'));
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('postgresql.auth.password:');
    expect(r.output).toContain('redis.auth.password:');
    expect(r.output).toContain('persistence.home.mode:');
  });
});

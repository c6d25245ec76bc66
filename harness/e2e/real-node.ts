// What the e2e needs from the local backend's real node: the locally built images loaded into its
// containerd, and a values overlay that points the real-node profile at them (tag and digest) and
// at host paths of this run (under the node's own directory, removed when the node stops).
import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { deerflowSource } from '../deerflow/source.js';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ImageName } from '../images/catalog.js';
import { NODE_NETWORK } from '../node/layout.js';
import type { RealNode } from '../node/real-node.js';

/** The chart's image values for a reference `registry/repository:tag@digest`. */
export function imageValues(reference: string): { registry: string; repository: string; tag: string; digest: string } {
  const match = /^([^/]+)\/([^:@]+):([^@]+)@(sha256:[0-9a-f]{64})$/.exec(reference);
  if (!match) throw new Error(`not a tag@digest image reference: ${reference}`);
  return { registry: match[1] as string, repository: match[2] as string, tag: match[3] as string, digest: match[4] as string };
}

export const REAL_NODE_IMAGES: ImageName[] = ['pause', 'nginx', 'postgres', 'redis', 'sandbox-standin', 'sandbox-agent', 'busybox', 'deerflow-gateway', 'deerflow-frontend', 'litellm'];

/**
 * The model the real-node release's DeerFlow uses: a model group of the LLM gateway, whose one
 * deployment is the fake provider the e2e runs on the node's address.
 */
export const E2E_MODEL = 'fake-gpt';
/** The LLM gateway's provider entry for the fake, and its prices per million tokens. */
export const E2E_PROVIDER = 'e2e-fake';
export const E2E_PRICES = { inputPerMillion: 3, outputPerMillion: 15 } as const;

/**
 * The gateway's own checks (suites/llm-gateway.ts) on the same release: a model group of two fake
 * providers in order, a group with an rpm limit, and settings short enough to watch the breaker
 * open and close. The suite reads every figure back from the rendered config, not from here.
 */
export const E2E_GATEWAY = {
  group: 'failover',
  limitedGroup: 'limited',
  primary: 'gw-primary',
  fallback: 'gw-fallback',
  replicas: 2,
  rpm: 2,
  openAfterFailures: 3,
  resetSeconds: 8,
  timeoutSeconds: 4,
  serverErrorRetries: 1,
  prices: { primary: { in: 2, out: 8 }, fallback: { in: 1, out: 4 } },
} as const;

export interface RealNodeRelease {
  valuesFile: string;
  images: Record<string, string>;
  homeDir: string;
}

/**
 * `kubeconfig`'s API server port: the `kubernetes` Service endpoint is the node IP at that port,
 * which the agent's NetworkPolicy must allow.
 */
async function apiServerPort(kubeconfig: string): Promise<number> {
  const server = /server:\s*(\S+)/.exec(await readFile(kubeconfig, 'utf8'))?.[1];
  const port = server ? Number(new URL(server).port) : Number.NaN;
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no API server port in ${kubeconfig}`);
  return port;
}

export interface OverlayInputs {
  /** Image references (`repo:tag@sha256:…`) by catalog name. */
  images: Readonly<Record<string, string>>;
  homeDir: string;
  skillsDir: string;
  /** The fake provider's base URL on the node address (DeerFlow's model). */
  llmBaseUrl: string;
  /** The base URLs of the two fakes behind the gateway's failover group (E2E_GATEWAY). */
  gatewayUrls: { primary: string; fallback: string };
  apiServerPort: number;
  masterKey: string;
}

/** The primary release's values overlay on the real node (this run's images, paths, provider and keys). */
export function realNodeOverlay(o: OverlayInputs): Record<string, unknown> {
  const ref = (name: ImageName) => {
    const reference = o.images[name];
    if (!reference) throw new Error(`no ${name} image was loaded into the real node`);
    return imageValues(reference);
  };
  // A fake on the node's address: the NetworkPolicy allows the gateway exactly that address and port.
  const provider = (name: string, baseUrl: string) => ({ name, baseUrl, apiKeyEnv: 'FAKE_LLM_KEY', cidrs: [`${NODE_NETWORK.nodeIp}/32`], port: Number(new URL(baseUrl).port) });
  return {
    persistence: { home: { hostPath: o.homeDir } },
    // NodePort as the kind profile has it (an auto-assigned port: tenants run beside it), so the
    // deerflow suite logs in at <node address>:<nodePort> too.
    nginx: { image: ref('nginx'), service: { type: 'NodePort' } },
    gateway: { image: ref('deerflow-gateway') },
    // DeerFlow's web UI, built from the pinned source (harness/images/deerflow-frontend.ts).
    frontend: { image: ref('deerflow-frontend') },
    // The LLM gateway in front of the fake OpenAI-compatible provider (stands in for real LLM
    // providers) on the node address, with the release's Redis (llmGateway.redis.mode: release).
    llmGateway: {
      enabled: true,
      image: ref('litellm'),
      // Two replicas, so the checks can see breaker and rate-limit state shared through Redis.
      replicaCount: E2E_GATEWAY.replicas,
      masterKey: o.masterKey,
      apiKeys: { FAKE_LLM_KEY: 'e2e-fake-provider-key' },
      breaker: { openAfterFailures: E2E_GATEWAY.openAfterFailures, resetSeconds: E2E_GATEWAY.resetSeconds },
      retries: { rateLimit: 0, serverError: E2E_GATEWAY.serverErrorRetries, minBackoffSeconds: 0 },
      timeoutSeconds: E2E_GATEWAY.timeoutSeconds,
      // On here (off by default) so the suite can show an answer served with both providers down;
      // every prompt of the e2e is unique to its run, so nothing else is answered from it.
      cache: { enabled: true, ttlSeconds: 300 },
      providers: [
        provider(E2E_PROVIDER, o.llmBaseUrl),
        provider(E2E_GATEWAY.primary, o.gatewayUrls.primary),
        provider(E2E_GATEWAY.fallback, o.gatewayUrls.fallback),
      ],
      modelGroups: [
        { name: E2E_MODEL, deployments: [{ provider: E2E_PROVIDER, model: 'fake-model', inputPricePerMillion: E2E_PRICES.inputPerMillion, outputPricePerMillion: E2E_PRICES.outputPerMillion }] },
        {
          name: E2E_GATEWAY.group,
          deployments: [
            { provider: E2E_GATEWAY.primary, model: 'fake-primary', inputPricePerMillion: E2E_GATEWAY.prices.primary.in, outputPricePerMillion: E2E_GATEWAY.prices.primary.out },
            { provider: E2E_GATEWAY.fallback, model: 'fake-fallback', inputPricePerMillion: E2E_GATEWAY.prices.fallback.in, outputPricePerMillion: E2E_GATEWAY.prices.fallback.out },
          ],
        },
        { name: E2E_GATEWAY.limitedGroup, deployments: [{ provider: E2E_GATEWAY.fallback, model: 'fake-limited', rpm: E2E_GATEWAY.rpm, inputPricePerMillion: 1, outputPricePerMillion: 1 }] },
      ],
    },
    deerflow: {
      // Through the gateway by the chart's own wiring (viaGateway defaults to true): base_url,
      // api_key, max_retries and request_timeout come from llmGateway.
      models: [{ name: E2E_MODEL, displayName: 'Fake GPT (e2e)', use: 'langchain_openai:ChatOpenAI', model: E2E_MODEL }],
      // Memory extraction would ask the model after every turn; the e2e counts its calls.
      config: { extra: { memory: { enabled: false } } },
    },
    postgresql: { image: ref('postgres') },
    redis: { image: ref('redis') },
    sandbox: { image: ref('sandbox-standin'), pauseImage: ref('pause'), skills: { hostPath: o.skillsDir }, agent: { image: ref('sandbox-agent') } },
    tests: { image: ref('busybox') },
    networkPolicy: { apiServer: { cidrs: [`${NODE_NETWORK.nodeIp}/32`], ports: [443, o.apiServerPort] } },
  };
}

export async function prepareRealNodeRelease(node: RealNode, kubeconfig: string, workDir: string, release: string, llmBaseUrl: string, gatewayUrls: OverlayInputs['gatewayUrls']): Promise<RealNodeRelease> {
  const images = await node.loadImages(REAL_NODE_IMAGES);
  const volumes = path.join(node.paths.dir, 'volumes', release);
  const homeDir = path.join(volumes, 'home');
  const skillsDir = path.join(volumes, 'skills');
  // World-writable like the gateway makes thread dirs (DeerFlow creates them 0777): hostPath
  // volumes get no fsGroup, and the sandbox and gateway users differ.
  for (const dir of [homeDir, skillsDir]) {
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o777);
  }
  // The skills hostPath is this profile's skills root: DeerFlow's public skills from the pinned
  // source go there, as a hostPath user puts them (DeerFlow's images carry none).
  await cp(path.join(await deerflowSource(), 'skills', 'public'), path.join(skillsDir, 'public'), { recursive: true });
  await mkdir(path.join(skillsDir, 'custom'), { recursive: true, mode: 0o777 });
  const overlay = realNodeOverlay({
    images,
    homeDir,
    skillsDir,
    llmBaseUrl,
    gatewayUrls,
    apiServerPort: await apiServerPort(kubeconfig),
    masterKey: `sk-e2e-${randomBytes(12).toString('hex')}`,
  });
  const valuesFile = path.join(workDir, `${release}-real-node.yaml`);
  await writeFile(valuesFile, `# Written by harness/e2e/real-node.ts for this run.\n${stringify(overlay)}`);
  return { valuesFile, images, homeDir };
}

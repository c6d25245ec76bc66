// The e2e job, shared by `make e2e` (harness/e2e.ts) and `make test` (harness/e2e.cluster.test.ts):
// install from a chart repo and an OCI registry with per-tenant values, then the concurrency,
// failover and upgrade suites, then uninstall. Everything is recorded in a Report.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { type BackendName, type ClusterBackend, KindBackend } from '../cluster.js';
import type { RealNode } from '../node/real-node.js';
import { E2E_GATEWAY, E2E_MODEL, E2E_PRICES, prepareRealNodeRelease } from './real-node.js';
import { FakeLlmProvider } from '../fakes/llm-provider.js';
import { NODE_NETWORK } from '../node/layout.js';
import { deerflowSuite } from './suites/deerflow.js';
import { uiSuite } from './suites/ui.js';
import { type GatewayFakes, llmGatewaySuite } from './suites/llm-gateway.js';
import { run, succeeds } from '../exec.js';
import { log } from '../progress.js';
import { type AgentHandle, attachInClusterAgent, leaderOf, readAgentDeployment, serviceAccountKubeconfig, startAgentProcess } from './agents.js';
import { indexRepository, makeSigningKey, packageChart, type Registry, type Served, serveDirectory, startRegistry } from './chart-repo.js';
import { type E2eContext, type PrimaryRelease, assert, eventually, sandboxIdOf, sandboxPods, threadDirMaker } from './context.js';
import { GatewaySimulator } from './gateway-sim.js';
import { DeerflowProvisionerClient } from './deerflow-provisioner.js';
import { ensurePrerequisites, ensureStaticVolumes, helmInstall, waitForRelease } from './install.js';
import { Kubectl, nameOf } from './kubectl.js';
import { Report, SkipCheck } from './report.js';
import { concurrencySuite } from './suites/concurrency.js';
import { failoverSuite } from './suites/failover.js';
import { failuresSuite } from './suites/failures.js';
import { isolationSuite, type TenantRef } from './suites/isolation.js';
import { upgradeSuite } from './suites/upgrade.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The e2e suites in the order they run (install and uninstall always run around them). */
export const SUITES = ['concurrency', 'isolation', 'failures', 'ui', 'deerflow', 'llm-gateway', 'failover', 'upgrade'] as const;
export type SuiteName = (typeof SUITES)[number];
const AGENT_REPLICAS = 2;

export interface E2eOptions {
  cluster: ClusterBackend;
  kubeconfig: string;
  outDir: string;
  threads: number;
  /** Suites to run (default all); the install and uninstall steps always run. */
  suites?: readonly SuiteName[];
  /** The local backend's real node: the primary release then runs real containers on it. */
  realNode?: RealNode;
}

interface TenantInstall {
  name: string;
  namespace: string;
  source: 'oci' | 'repo';
  valuesFiles: string[];
  /** Where its sandboxes run: `sandbox.namespace` from its values, else its own namespace. */
  sandboxNamespace: string;
}

/** `sandbox.namespace` as the layered values files set it (the last file that sets it wins). */
async function sandboxNamespaceOf(valuesFiles: readonly string[], releaseNamespace: string): Promise<string> {
  let namespace = '';
  for (const file of valuesFiles) {
    const values = (parseYaml(await readFile(file, 'utf8')) ?? {}) as { sandbox?: { namespace?: string } };
    if (values.sandbox?.namespace !== undefined) namespace = values.sandbox.namespace;
  }
  return namespace || releaseNamespace;
}

async function agentVersion(): Promise<string> {
  return (JSON.parse(await readFile(path.join(repoRoot, 'sandbox-agent/package.json'), 'utf8')) as { version: string }).version;
}

function profileFor(backend: BackendName): string {
  return path.join(repoRoot, 'values', 'profiles', `${backend}.yaml`);
}

export async function runE2e(options: E2eOptions): Promise<Report> {
  const report = new Report();
  const backend = options.cluster.name;
  const suffix = randomBytes(2).toString('hex');
  report.meta.backend = backend;
  report.meta.realNode = options.realNode?.name ?? null;
  report.meta.threads = options.threads;
  report.meta.startedAt = new Date().toISOString();
  const workDir = path.join(options.outDir, 'work');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const helmHome = path.join(workDir, 'helm');
  const kube = await Kubectl.create(options.kubeconfig, {
    HELM_CONFIG_HOME: path.join(helmHome, 'config'),
    HELM_CACHE_HOME: path.join(helmHome, 'cache'),
    HELM_DATA_HOME: path.join(helmHome, 'data'),
  });

  const cleanups: Array<() => Promise<unknown>> = [];
  const primaryNamespace = `antler-e2e-${suffix}`;
  const primaryRelease = 'deerflow';
  const tenants: TenantInstall[] = [];
  for (const [index, name] of ['acme', 'globex'].entries()) {
    const namespace = `tenant-${name}-${suffix}`;
    const valuesFiles = [profileFor(backend), path.join(repoRoot, 'harness/e2e/values/tenant-local.yaml'), path.join(repoRoot, 'values/tenants', `${name}.yaml`)];
    tenants.push({ name, namespace, source: index === 0 ? 'oci' : 'repo', valuesFiles, sandboxNamespace: await sandboxNamespaceOf(valuesFiles, namespace) });
  }
  const realNode = options.realNode;
  let realNodeImages: Record<string, string> | undefined;
  let fakeLlm: FakeLlmProvider | undefined;
  let gatewayFakes: GatewayFakes | undefined;
  let deerflowClient: DeerflowProvisionerClient | undefined;
  const primaryValues = [profileFor(backend), ...(realNode ? [path.join(repoRoot, 'values/profiles/real-node.yaml')] : []), path.join(repoRoot, 'harness/e2e/values/primary.yaml')];
  // On kind and on the real node the agent runs in-cluster, two replicas, from the image this run
  // built; only a kwok-only local cluster runs the replicas as host processes.
  const agentsInCluster = backend === 'kind' || realNode !== undefined;
  const primaryExtraArgs = backend === 'kind' ? ['--set', `sandbox.agent.replicaCount=${AGENT_REPLICAS}`] : [];
  let repoRef = '';
  let ociRef = '';
  let primary: PrimaryRelease | undefined;
  let chartVersion = '';
  const extraNamespaces: string[] = [];

  try {
    await report.suite('install', async () => {
      chartVersion = ((parseYaml(await readFile(path.join(repoRoot, 'chart/Chart.yaml'), 'utf8')) ?? {}) as { version: string }).version;
      await report.check('statically provisioned volumes for PVCs (the local backend has no storage provisioner)', async () => {
        await ensureStaticVolumes(kube, path.join(workDir, 'volumes'), 12);
      });

      if (realNode) {
        await report.check(`build images locally (no registry, no pulls) and load them into the real node ${realNode.name}`, async () => {
          // The fake OpenAI-compatible provider (the stand-in for real LLM providers) listens on the
          // node's address, which Pods reach and nothing outside the machine does; the release's
          // LLM gateway is its only client.
          // Two more behind the gateway's failover group, which the llm-gateway suite makes fail,
          // stall or answer.
          fakeLlm = new FakeLlmProvider('e2e-provider');
          const fakes: GatewayFakes = { primary: new FakeLlmProvider(E2E_GATEWAY.primary), fallback: new FakeLlmProvider(E2E_GATEWAY.fallback) };
          gatewayFakes = fakes;
          const [llmUrl, primaryUrl, fallbackUrl] = await Promise.all([fakeLlm, fakes.primary, fakes.fallback].map((fake) => fake.start(NODE_NETWORK.nodeIp)));
          cleanups.push(() => Promise.all([fakeLlm!.stop(), fakes.primary.stop(), fakes.fallback.stop()]));
          const prepared = await prepareRealNodeRelease(realNode, options.kubeconfig, workDir, primaryRelease, llmUrl!, { primary: primaryUrl!, fallback: fallbackUrl! });
          primaryValues.push(prepared.valuesFile);
          realNodeImages = prepared.images;
          return prepared.images;
        }, (images) => ({ images }));
      }

      if (options.cluster instanceof KindBackend) {
        const kind = options.cluster;
        await report.check('build the sandbox-agent image and load it into kind', async () => {
          const image = `antler/sandbox-agent:${await agentVersion()}`;
          await run('docker', ['build', '-f', 'sandbox-agent/Dockerfile', '-t', image, '.'], { cwd: repoRoot, timeoutMs: 900_000 });
          await kind.loadImage(image);
          return image;
        }, (image) => ({ image }));
      }

      // Provenance is optional: without gpg the chart is still served and installed, unsigned.
      const signing = await report.check('a throwaway GPG key made at run time', async () => {
        if (!(await succeeds('gpg', ['--version']))) throw new SkipCheck('gpg is not installed (apt-get install gnupg); provenance not checked');
        return makeSigningKey(workDir);
      });
      let served: Served | undefined;
      await report.check(`chart repo over HTTP on 127.0.0.1: helm package${signing ? ' --sign' : ''}, helm repo index, helm repo add`, async () => {
        const repoDir = path.join(workDir, 'repo');
        await packageChart(path.join(repoRoot, 'chart'), repoDir, signing);
        if (signing) assert(existsSync(path.join(repoDir, `deerflow-${chartVersion}.tgz.prov`)), 'helm package --sign wrote no .prov file');
        served = await serveDirectory(repoDir);
        cleanups.push(() => served!.close());
        await indexRepository(repoDir, served.url);
        await kube.helm(['repo', 'add', 'antler-e2e', served.url]);
        const found = JSON.parse(await kube.helm(['search', 'repo', 'antler-e2e/deerflow', '-o', 'json'])) as { name: string; version: string }[];
        assert(found.some((entry) => entry.version === chartVersion), `helm search did not find deerflow ${chartVersion}`);
        repoRef = 'antler-e2e/deerflow';
        return served.url;
      }, (url) => ({ url }));

      let registry: Registry | undefined;
      await report.check('OCI registry on 127.0.0.1 (distribution, built from its Go module): helm push', async () => {
        registry = await startRegistry(workDir);
        cleanups.push(() => registry!.stop());
        const archive = path.join(workDir, 'repo', `deerflow-${chartVersion}.tgz`);
        await kube.helm(['push', archive, `oci://${registry.host}/charts`, '--plain-http']);
        ociRef = `oci://${registry.host}/charts/deerflow`;
        const shown = await kube.helm(['show', 'chart', ociRef, '--version', chartVersion, '--plain-http']);
        assert(shown.includes(`version: ${chartVersion}`), 'helm show chart from the registry returned another chart');
        return registry.host;
      }, (host) => ({ registry: host }));

      await report.check(`install ${primaryRelease} from the chart repo${signing ? ' with --verify (provenance)' : ''} and the ${backend} profile`, async () => {
        assert(repoRef, 'chart repo not available');
        await helmInstall(kube, {
          release: primaryRelease,
          namespace: primaryNamespace,
          chartRef: repoRef,
          valuesFiles: primaryValues,
          extraArgs: ['--version', chartVersion, ...(signing ? ['--verify', '--keyring', signing.publicKeyring] : []), ...primaryExtraArgs],
        });
      });

      for (const tenant of tenants) {
        await report.check(`install tenant ${tenant.name} into ${tenant.namespace} from ${tenant.source === 'oci' ? 'the OCI registry' : 'the chart repo'}`, async () => {
          const chartRef = tenant.source === 'oci' ? ociRef : repoRef;
          assert(chartRef, `${tenant.source} source not available`);
          await kube.ensureNamespace(tenant.namespace);
          const created = await ensurePrerequisites(kube, tenant.namespace, tenant.valuesFiles);
          extraNamespaces.push(...created.filter((entry) => entry.startsWith('namespace/')).map((entry) => entry.slice('namespace/'.length)));
          await helmInstall(kube, {
            release: tenant.name,
            namespace: tenant.namespace,
            chartRef,
            valuesFiles: tenant.valuesFiles,
            extraArgs: ['--version', chartVersion, ...(tenant.source === 'oci' ? ['--plain-http'] : [])],
          });
          return created;
        }, (created) => ({ prerequisites: created }));
      }

      await report.check('every Deployment and StatefulSet of every release becomes available', async () => {
        const diagnosis = path.join(options.outDir, 'diagnosis');
        await waitForRelease(kube, primaryNamespace, primaryRelease, 180, diagnosis);
        for (const tenant of tenants) await waitForRelease(kube, tenant.namespace, tenant.name, 180, diagnosis);
      });

      await report.check('where the Pods run: real containers on the real node, the rest on kwok nodes', async () => {
        const placement: Record<string, string> = {};
        for (const { release, namespace } of [{ release: primaryRelease, namespace: primaryNamespace }, ...tenants.map((t) => ({ release: t.name, namespace: t.namespace }))]) {
          for (const pod of await kube.pods(namespace, `app.kubernetes.io/instance=${release}`)) {
            const component = pod.metadata?.labels?.['app.kubernetes.io/component'] ?? nameOf(pod);
            const node = pod.spec?.nodeName ?? 'unscheduled';
            placement[`${release}/${component}`] = realNode && node === realNode.name ? `real node ${node}` : node.startsWith('kwok-') ? 'kwok node' : node;
          }
        }
        if (realNode) {
          for (const component of ['nginx', 'postgresql', 'redis', 'sandbox-agent', 'llm-gateway', 'frontend']) {
            assert(placement[`${primaryRelease}/${component}`]?.startsWith('real node'), `${primaryRelease}/${component} does not run on the real node: ${placement[`${primaryRelease}/${component}`]}`);
          }
        }
        return placement;
      }, (placement) => ({ placement }));

      // That the tenants' objects do not collide is generator/features.cluster.test.ts's check
      // (three tenants with the production profile, every kind listed); here they are installed
      // from the two chart sources and must become available.
      await report.check(`${AGENT_REPLICAS} sandbox-agent replicas run with the release's own config and ServiceAccount`, async () => {
        const deployment = await readAgentDeployment(kube, primaryNamespace, primaryRelease);
        assert(deployment.apiKey, 'the release gave the agent no API key');
        const agents: AgentHandle[] = [];
        let replaceAgent: (index: number) => Promise<AgentHandle>;
        if (!agentsInCluster) {
          // Nothing runs in kwok Pods: run the replicas as host processes with a token of the release's ServiceAccount.
          const kubeconfigForAgent = await serviceAccountKubeconfig(kube, primaryNamespace, deployment.serviceAccount, path.join(workDir, 'agent-kubeconfig.json'));
          const start = (index: number): Promise<AgentHandle> =>
            startAgentProcess(deployment, kubeconfigForAgent, `${primaryRelease}-sandbox-agent-${index}`, path.join(options.outDir, 'logs'));
          for (let index = 0; index < AGENT_REPLICAS; index += 1) agents.push(await start(index));
          replaceAgent = start;
        } else {
          // On the real node a kill is a real SIGKILL of the container's process from the host.
          const hardKill = realNode ? (containerId: string) => realNode.killContainer(containerId).then(() => undefined) : undefined;
          const attach = (): Promise<AgentHandle> => attachInClusterAgent(kube, deployment, agents.filter((agent) => agent.running()).map((agent) => agent.identity), hardKill);
          for (let index = 0; index < AGENT_REPLICAS; index += 1) agents.push(await attach());
          replaceAgent = attach;
        }
        cleanups.push(() => Promise.all(agents.map((agent) => agent.stop())));
        primary = { release: primaryRelease, namespace: primaryNamespace, chartRef: repoRef, valuesFiles: primaryValues, extraInstallArgs: primaryExtraArgs, deployment, agents, replaceAgent };
        await eventually('one agent to hold the reaper Lease', 20_000, async () => Boolean(await leaderOf(kube, deployment, agents)));
      });

      await report.check("DeerFlow's own provisioner client (RemoteSandboxBackend, pinned source) starts with the release's config.yaml", async () => {
        assert(primary, 'no primary release');
        const configYaml = (await kube.configMap(primaryNamespace, `${primaryRelease}-gateway`)).data?.['config.yaml'];
        assert(configYaml, `ConfigMap ${primaryRelease}-gateway has no config.yaml`);
        const client = await DeerflowProvisionerClient.start({ configYaml, apiKey: primary.deployment.apiKey, workDir });
        cleanups.push(() => client.stop());
        deerflowClient = client;
      });
    });

    if (primary) {
      const current = primary;
      // On real Pods with hostPath user-data the simulated gateway makes the thread's directories
      // first, as DeerFlow does (aio_sandbox_provider.py:849 → paths.py:390-409): a directory the
      // kubelet creates for a hostPath volume is root-owned 0755 and would lock the real gateway
      // (uid 1000) out of `users/`.
      const prepareThread = realNode ? threadDirMaker(current.deployment) : undefined;
      const ctx: E2eContext = {
        deerflow: deerflowClient,
        firstAdmin: { email: `admin-${suffix}@example.com`, password: `e2e-${randomBytes(9).toString('hex')}` },
        prepareThread,
        agentUrls: () => current.agents.filter((agent) => agent.running()).map((agent) => agent.url),
        backend,
        kube,
        report,
        outDir: options.outDir,
        workDir,
        threads: options.threads,
        primary: current,
        realNode,
        realNodeImages,
        gateways: () => current.agents.filter((agent) => agent.running()).map((agent) => new GatewaySimulator(agent.url, current.deployment.apiKey, prepareThread)),
      };
      const suites = options.suites ?? SUITES;
      const tenantRefs: TenantRef[] = tenants.map((t) => ({ name: t.name, namespace: t.namespace, sandboxNamespace: t.sandboxNamespace }));
      const runners: Record<SuiteName, () => Promise<void>> = {
        concurrency: () => concurrencySuite(ctx),
        isolation: () => isolationSuite(ctx, tenantRefs),
        failures: () => failuresSuite(ctx),
        // Before deerflow: the browser makes the release's first admin, deerflow signs in with it.
        ui: () => uiSuite(ctx, fakeLlm ? { llm: fakeLlm } : undefined),
        deerflow: () => deerflowSuite(ctx, fakeLlm ? { llm: fakeLlm, model: E2E_MODEL, prices: E2E_PRICES } : undefined),
        'llm-gateway': () => llmGatewaySuite(ctx, gatewayFakes),
        failover: () => failoverSuite(ctx, options.cluster),
        upgrade: () => upgradeSuite(ctx),
      };
      for (const name of SUITES) if (suites.includes(name)) await report.suite(name, runners[name]);
    }

    await report.suite('uninstall', async () => {
      await report.check('helm uninstall garbage-collects live sandboxes (ownerReference) and leaves no release object', async () => {
        if (primary) {
          const gateway = new GatewaySimulator(primary.agents.find((agent) => agent.running())?.url ?? '', primary.deployment.apiKey, realNode ? threadDirMaker(primary.deployment) : undefined);
          const left = await gateway.create(`gc${suffix}`, `thread-gc${suffix}`, 'user-gc');
          assert(left.status === 200, `could not create the sandbox to be collected: HTTP ${left.status}`);
          await Promise.all(primary.agents.map((agent) => agent.stop()));
        }
        const releases = [{ release: primaryRelease, namespace: primaryNamespace }, ...tenants.map((t) => ({ release: t.name, namespace: t.namespace }))];
        for (const { release, namespace } of releases) {
          await kube.helm(['uninstall', release, '-n', namespace, '--wait', '--timeout', '2m']).catch((error: Error) => {
            if (!/not found/.test(error.message)) throw error;
          });
        }
        if (primary) {
          const release = primary;
          await eventually('sandbox Pods to be garbage-collected', 60_000, async () => (await sandboxPods({ kube, primary: release })).filter((pod) => sandboxIdOf(pod)).length === 0);
        }
        for (const { release, namespace } of releases) {
          // ReplicaSets and Pods go through the garbage collector after helm deletes their owners.
          const leftovers = async (): Promise<string[]> =>
            (await kube.run(['get', 'all,cm,secret,pvc,sa,role,rolebinding,pdb,ingress,networkpolicy', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name']))
              .split('\n')
              // PVCs of bundled datastores are kept on purpose (helm.sh/resource-policy: keep).
              .filter((line) => line && !line.startsWith('persistentvolumeclaim/'));
          await eventually(`${release}'s objects to be garbage-collected`, 60_000, async () => (await leftovers()).length === 0, 500).catch(async () => {
            throw new Error(`${release} left objects behind: ${(await leftovers()).join(', ')}`);
          });
        }
      });
      await report.check('remove the e2e namespaces', async () => {
        for (const namespace of [primaryNamespace, ...tenants.map((t) => t.namespace), ...extraNamespaces]) {
          await kube.run(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']);
        }
      });
    });
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: Error) => log('e2e', `cleanup failed: ${error.message}`));
    }
  }
  return report;
}

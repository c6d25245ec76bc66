// Failure while working: the agent leader dies mid-burst, Pods and nodes go away, the API
// server restarts. Every acquire either succeeds or fails cleanly and can be retried; nothing
// is lost, and reaping moves to the surviving replica.
import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { type ClusterBackend, FAKE_NODE_ZONES, LocalBackend, componentLogTail, fakeNodeManifest } from '../../cluster.js';
import { agentSettings, leaderOf } from '../agents.js';
import { type E2eContext, assert, deerflowClient, eventually, reconnectAgents, sandboxIdOf, sandboxPods } from '../context.js';
import { mapLimit } from '../../parallel.js';
import { nameOf, podReady } from '../kubectl.js';
import { SkipCheck } from '../report.js';

function podUids(pods: readonly V1Pod[]): string[] {
  return pods.map((pod) => pod.metadata?.uid ?? '');
}

async function componentPods(ctx: E2eContext, component: string): Promise<V1Pod[]> {
  return ctx.kube.pods(ctx.primary.namespace, `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=${component}`);
}

export async function failoverSuite(ctx: E2eContext, cluster: ClusterBackend): Promise<void> {
  const { report, kube } = ctx;
  const run = randomBytes(3).toString('hex');
  const leaseSeconds = agentSettings(ctx.primary.deployment).SANDBOX_AGENT_LEASE_DURATION_SECONDS;
  let killed: { identity: string; at: number } | undefined;

  await report.check('kill -9 the agent leader during a burst: every acquire succeeds or fails cleanly and succeeds on retry', async () => {
    const agents = ctx.primary.agents;
    assert(agents.length >= 2, 'needs two agent replicas');
    const leader = await leaderOf(kube, ctx.primary.deployment, agents);
    assert(leader, 'no agent holds the Lease');
    const gateways = ctx.gateways();
    const ids = Array.from({ length: 20 }, (_, index) => `f${run}b${index}`);
    const outcomes: string[] = [];
    const unexpected: string[] = [];
    let started = 0;
    let finished = 0;
    const burst = mapLimit(ids, 10, async (id, index) => {
      const gateway = gateways[index % gateways.length]!;
      started += 1;
      // First attempt: a clean failure is a status the gateway turns into an error (429, 5xx) or a
      // dropped connection, never a 4xx that blames the request or a half-made sandbox. Anything
      // else is recorded and fails the check even when a retry would succeed.
      const first = await gateway.create(id, `thread-${id}`, `user-f${index % 5}`).then(
        (result) => result.status,
        () => 'connection-error' as const,
      );
      finished += 1;
      outcomes.push(typeof first === 'number' ? (first === 200 ? 'ok' : `http-${first}`) : first);
      if (first === 200) return;
      if (typeof first === 'number' && first !== 429 && first < 500) unexpected.push(`${id}: HTTP ${first}`);
      // The gateway's next acquire goes to a live replica (as a Service would route it).
      for (const retry of gateways) {
        const again = await retry.create(id, `thread-${id}`, `user-f${index % 5}`).catch(() => undefined);
        if (again?.status === 200) return;
      }
      throw new Error(`acquire ${id} failed on every replica after the leader died`);
    });
    // Kill once the burst is under way: some acquires answered, others still in flight.
    await eventually('the burst to be under way', 30_000, async () => finished === ids.length || (finished >= 2 && started > finished), 5);
    const inFlightAtKill = started - finished;
    killed = { identity: leader.identity, at: Date.now() };
    await leader.kill();
    await burst;
    assert(inFlightAtKill > 0, 'no acquire was in flight when the leader died');
    assert(unexpected.length === 0, `acquires answered with a status that blames the request: ${unexpected.join(', ')}`);
    const pods = (await sandboxPods(ctx)).filter((pod) => sandboxIdOf(pod)?.startsWith(`f${run}b`));
    assert(pods.length === ids.length, `expected ${ids.length} sandboxes after the burst, found ${pods.length}`);
    return { outcomes, inFlightAtKill };
  }, ({ outcomes, inFlightAtKill }) => ({ inFlightAtKill, outcomes: Object.fromEntries([...new Set(outcomes)].map((o) => [o, outcomes.filter((x) => x === o).length])) }));

  // On the real node the kill is a SIGKILL of the container, and the kubelet restarts it in the
  // same Pod, so under the same identity: a restart faster than the Lease's duration renews its
  // own Lease (client-go's rule: the holder renews), which is a live leader too. Either way a
  // live agent must hold the Lease within its duration and reap.
  await report.check(`a live replica holds the Lease within its duration (${leaseSeconds}s) and reaps`, async () => {
    const survivors = ctx.primary.agents.filter((agent) => agent.running());
    assert(survivors.length >= 1, 'no surviving agent');
    assert(killed, 'the leader was not killed');
    const dead = killed;
    let holder = '';
    const tookMs = await eventually('a live agent to hold the Lease', (leaseSeconds + 5) * 1000, async () => {
      if (await leaderOf(kube, ctx.primary.deployment, survivors)) return (holder = 'survivor'), true;
      const lease = await kube.lease(ctx.primary.deployment.namespace, ctx.primary.deployment.leaseName);
      const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
      if (lease.spec?.holderIdentity === dead.identity && renewed > dead.at + 500) return (holder = 'restarted'), true;
      return false;
    });
    const gateway = ctx.gateways()[0]!;
    const victim = `f${run}b0`;
    const released = await gateway.release(victim);
    assert(released.status === 200, `release: HTTP ${released.status} ${released.text}`);
    await eventually('the released sandbox to be reaped by the new leader', 30_000, async () => !(await sandboxPods(ctx)).some((pod) => sandboxIdOf(pod) === victim));
    return { tookMs, holder };
  }, ({ tookMs, holder }) => ({ leaseTakeoverMs: tookMs, heldBy: holder }));

  await report.check('the killed replica restarts and rejoins', async () => {
    const index = ctx.primary.agents.findIndex((agent) => !agent.running());
    if (index >= 0) ctx.primary.agents[index] = await ctx.primary.replaceAgent(index);
    assert(ctx.primary.agents.every((agent) => agent.running()), 'not every agent replica is running');
  });

  // The real DeerFlow gateway takes tens of seconds to start (Python imports, migrations).
  await report.check('deleted gateway and nginx Pods are replaced by their ReplicaSets', async () => {
    for (const component of ['gateway', 'nginx']) {
      const before = await componentPods(ctx, component);
      assert(before.length > 0, `no ${component} Pods`);
      await kube.run(['delete', 'pod', '-n', ctx.primary.namespace, ...before.map(nameOf), '--wait=true', '--timeout=180s']);
      await kube.run(['wait', '-n', ctx.primary.namespace, '--for=condition=Available', 'deployment', '-l', `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=${component}`, '--timeout=180s']);
      await eventually(`${component} replacement Pods to be Ready`, 180_000, async () => {
        const after = await componentPods(ctx, component);
        const ready = after.filter(podReady);
        return ready.length >= before.length && !podUids(after).some((uid) => podUids(before).includes(uid));
      });
    }
  });

  await report.check('a node drain goes through the Eviction API and the nginx PDB (minAvailable 1) holds', async () => {
    const [nginx] = await componentPods(ctx, 'nginx');
    const node = nginx?.spec?.nodeName;
    assert(nginx && node, 'nginx Pod is not scheduled');
    let drainOutput = '';
    try {
      // Only the release's DeerFlow workloads: sandbox Pods have no controller (they are owned by
      // the release's ConfigMap), so a drain would need --force for them.
      await kube.run(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=12s', '--pod-selector', `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component in (gateway,nginx,frontend)`]);
      drainOutput = 'drain completed';
    } catch (error) {
      drainOutput = (error as Error).message;
    } finally {
      await kube.run(['uncordon', node]);
    }
    assert(/disruption budget/i.test(drainOutput), `drain was not blocked by the PDB: ${drainOutput.slice(0, 400)}`);
    const after = await componentPods(ctx, 'nginx');
    assert(after.some((pod) => pod.metadata?.uid === nginx.metadata?.uid && !pod.metadata?.deletionTimestamp), 'the PDB-protected nginx Pod was evicted');
    return node;
  }, (node) => ({ drainedNode: node }));

  await report.check('a deleted kwok node: its Pods are rescheduled on the others', async () => {
    if (ctx.backend !== 'local') throw new SkipCheck('deleting a node object is only done on the local backend');
    // A kwok node (the real node's kubelet owns its Node object) under a gateway or frontend Pod of
    // any release: the primary's on kwok-only clusters; with a real node the primary runs there and
    // a tenant's Pods stand on the kwok nodes.
    const candidates = await kube.pods(undefined, 'app.kubernetes.io/component in (gateway,frontend)');
    const victim = candidates.find((pod) => pod.spec?.nodeName?.startsWith('kwok-node-') && !pod.metadata?.deletionTimestamp);
    const node = victim?.spec?.nodeName ?? '';
    const namespace = victim?.metadata?.namespace ?? '';
    const selector = `app.kubernetes.io/instance=${victim?.metadata?.labels?.['app.kubernetes.io/instance'] ?? ''},app.kubernetes.io/component=${victim?.metadata?.labels?.['app.kubernetes.io/component'] ?? ''}`;
    assert(victim && node && namespace, `no gateway or frontend Pod of any release runs on a kwok node (${candidates.length} candidates on ${[...new Set(candidates.map((p) => p.spec?.nodeName))].join(', ')})`);
    const component = `${namespace}/${selector}`;
    await kube.run(['delete', 'node', node, '--wait=true', '--timeout=30s']);
    try {
      // The pod GC controller removes Pods bound to a node that no longer exists; the ReplicaSet replaces them.
      await eventually(`${component} Pods to run on a remaining node`, 120_000, async () => {
        const pods = await kube.pods(namespace, selector);
        return pods.length > 0 && pods.every((pod) => {
          const nodeName = pod.spec?.nodeName;
          return nodeName !== undefined && nodeName !== node && podReady(pod) && !pod.metadata?.deletionTimestamp;
        });
      }, 1000);
    } finally {
      const index = Number(node.replace(/\D+/g, ''));
      await kube.apply(fakeNodeManifest(index, FAKE_NODE_ZONES[index % FAKE_NODE_ZONES.length] as string));
    }
    return { node, component };
  }, (value) => ({ deletedNode: value.node, rescheduled: value.component }));

  await report.check('the API server restarts mid-run: agents recover their watches and lose no sandbox', async () => {
    if (!(cluster instanceof LocalBackend)) throw new SkipCheck('restarting the API server process is done on the local backend');
    const before = new Set((await sandboxPods(ctx)).map(sandboxIdOf));
    await cluster.restartComponent('kube-apiserver');
    try {
      await eventually('the API server to answer again', 60_000, async () => ctx.kube.run(['get', '--raw', '/readyz']).then(() => true, () => false), 500);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nkube-apiserver log:\n${await componentLogTail(cluster, 'kube-apiserver')}`);
    }
    // In-cluster agents are reached through port-forwards, which run through the API server.
    await reconnectAgents(ctx);
    for (const agent of ctx.primary.agents) {
      await eventually(`${agent.identity} /readyz after the restart`, 60_000, async () => fetch(`${agent.url}/readyz`).then((r) => r.ok, () => false), 500);
    }
    const gateway = ctx.gateways()[1 % ctx.gateways().length]!;
    // DeerFlow's list_running (what a restarted gateway adopts orphans from) sees them all.
    const urls = ctx.agentUrls();
    const listed = await deerflowClient(ctx).list(urls[1 % urls.length]!);
    assert(listed.ok, `list_running raised ${listed.ok ? '' : listed.error}`);
    const listedIds = new Set(listed.result.map((sandbox) => sandbox.sandbox_id));
    const lost = [...before].filter((id) => id && !listedIds.has(id));
    assert(lost.length === 0, `sandboxes lost across the restart: ${lost.join(', ')}`);
    // A watch that did not recover would never see this new Pod become Ready.
    const fresh = await gateway.acquire(`f${run}after`, `thread-f${run}-after`, 'user-after', 30);
    assert(fresh.status === 200 && fresh.ready, `acquire after restart: HTTP ${fresh.status}, ready=${fresh.ready}`);
    return before.size;
  }, (count) => ({ sandboxesAcrossRestart: count }));

  await report.check('clean up the suite\'s sandboxes', async () => {
    const gateway = ctx.gateways()[0]!;
    const ids = (await sandboxPods(ctx)).map(sandboxIdOf).filter((id): id is string => Boolean(id));
    for (const id of ids) await gateway.destroy(id);
    await eventually('sandbox Pods to be gone', 60_000, async () => (await sandboxPods(ctx)).length === 0);
  });
}

// N simulated gateways acquire sandboxes in parallel (the load: the simulator sends what DeerFlow's
// RemoteSandboxBackend sends), spread over the agent replicas. Then, through DeerFlow's own client
// (RemoteSandboxBackend from the pinned source): discovery finds every sandbox, duplicate creates
// converge on one Pod, a create over a cap fails as DeerFlow sees it, list_running adopts them all,
// destroy leaves nothing. The simulator stays for the raw HTTP details (429 bodies, counts) and for
// our `release` extension (TTL), which DeerFlow's client never calls.
import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { type E2eContext, assert, deerflowClient, eventually, openHostPathUserData, realContainers, sandboxIdOf, sandboxPods } from '../context.js';
import { mapLimit } from '../../parallel.js';
import { agentSettings } from '../agents.js';
import type { AcquireTiming } from '../gateway-sim.js';
import { nameOf } from '../kubectl.js';
import { SkipCheck } from '../report.js';
import { summarize } from '../../stats.js';

const USERS = 10;

function runId(): string {
  return randomBytes(3).toString('hex');
}

/** Host paths and PVC subPaths a Pod can reach that hold thread data. */
function threadDataPaths(pod: V1Pod): string[] {
  const byName = new Map((pod.spec?.volumes ?? []).map((volume) => [volume.name, volume]));
  const paths: string[] = [];
  for (const container of pod.spec?.containers ?? []) {
    for (const mount of container.volumeMounts ?? []) {
      const volume = byName.get(mount.name);
      const location = volume?.hostPath ? volume.hostPath.path : volume?.persistentVolumeClaim ? `pvc:${volume.persistentVolumeClaim.claimName}/${mount.subPath ?? ''}` : undefined;
      if (location && /threads\//.test(location)) paths.push(location);
    }
  }
  return paths;
}

export async function concurrencySuite(ctx: E2eContext): Promise<void> {
  const { report } = ctx;
  const run = runId();
  const threads = Array.from({ length: ctx.threads }, (_, index) => ({
    sandboxId: `c${run}t${index}`,
    threadId: `thread-${run}-${index}`,
    userId: `user-${index % USERS}`,
  }));
  const gateways = ctx.gateways();

  // DeerFlow waits 60 s for one sandbox; a burst of cold starts all on one real 2-core node
  // (container, network, a Node process each) gets twice that.
  const readyBudgetSeconds = ctx.realNode ? 120 : 60;
  const timings = await report.check(
    `${ctx.threads} simulated gateways acquire in parallel; every acquire succeeds and reaches Ready within ${readyBudgetSeconds}s${ctx.realNode ? ' (real Pods on one node)' : ''}`,
    async () => {
      const results = await mapLimit(threads, ctx.threads, (thread, index) =>
        (gateways[index % gateways.length] as (typeof gateways)[number]).acquire(thread.sandboxId, thread.threadId, thread.userId, readyBudgetSeconds),
      );
      const failed = results.filter((result) => result.status !== 200 || !result.ready);
      assert(failed.length === 0, `${failed.length} acquires failed: ${JSON.stringify(failed.slice(0, 3))}`);
      return results;
    },
    (results: AcquireTiming[]) => ({
      toResponseMs: summarize(results.map((r) => r.toResponseMs)),
      toReadyMs: summarize(results.map((r) => r.toReadyMs)),
    }),
  );
  if (timings) {
    report.addLatencies('acquire → response', timings.map((t) => t.toResponseMs));
    report.addLatencies('acquire → Ready', timings.map((t) => t.toReadyMs));
  }

  await report.check('one distinct Pod per thread', async () => {
    const pods = (await sandboxPods(ctx)).filter((pod) => sandboxIdOf(pod)?.startsWith(`c${run}t`));
    const ids = pods.map(sandboxIdOf);
    assert(pods.length === ctx.threads, `expected ${ctx.threads} sandbox Pods, found ${pods.length}`);
    assert(new Set(ids).size === ctx.threads, `sandbox ids are not distinct: ${ids.length} Pods, ${new Set(ids).size} ids`);
    const threadsSeen = new Set(pods.map((pod) => pod.metadata?.annotations?.['sandbox.antler.dev/thread-id']));
    assert(threadsSeen.size === ctx.threads, `expected ${ctx.threads} distinct thread annotations, found ${threadsSeen.size}`);
    return pods.length;
  });

  await report.check("each Pod mounts only its own thread's data path", async () => {
    const pods = (await sandboxPods(ctx)).filter((pod) => sandboxIdOf(pod)?.startsWith(`c${run}t`));
    for (const pod of pods) {
      const thread = pod.metadata?.annotations?.['sandbox.antler.dev/thread-id'];
      const paths = threadDataPaths(pod);
      assert(paths.length > 0, `${pod.metadata?.name} mounts no thread data`);
      for (const location of paths) {
        assert(location.includes(`/threads/${thread}/`), `${pod.metadata?.name} (thread ${thread}) mounts ${location}`);
      }
    }
    return pods.length;
  });

  await report.check("DeerFlow's discover and is_alive find every sandbox of the run at the URL the agent answered", async () => {
    const deerflow = deerflowClient(ctx);
    const urls = ctx.agentUrls();
    const expected = new Map((timings ?? []).map((t) => [t.sandboxId, t.sandboxUrl]));
    const misses: string[] = [];
    await mapLimit(threads, 10, async (thread, index) => {
      const url = urls[index % urls.length]!;
      const found = await deerflow.discover(url, thread.sandboxId);
      const alive = await deerflow.isAlive(url, thread.sandboxId);
      if (!found.ok || !found.result) misses.push(`${thread.sandboxId}: discover ${found.ok ? 'None' : found.error}`);
      else if (expected.get(thread.sandboxId) && found.result.sandbox_url !== expected.get(thread.sandboxId)) misses.push(`${thread.sandboxId}: URL ${found.result.sandbox_url} ≠ ${expected.get(thread.sandboxId)}`);
      if (!alive.ok || alive.result !== true) misses.push(`${thread.sandboxId}: is_alive ${alive.ok ? alive.result : alive.error}`);
    });
    assert(misses.length === 0, `${misses.length} misses: ${misses.slice(0, 5).join('; ')}`);
    return threads.length;
  });

  await report.check("list_running (DeerFlow's orphan adoption) returns every sandbox of the run", async () => {
    const listed = await deerflowClient(ctx).list(ctx.agentUrls()[0]!);
    assert(listed.ok, `list_running raised ${listed.ok ? '' : listed.error}`);
    const ours = listed.result.filter((sandbox) => sandbox.sandbox_id.startsWith(`c${run}t`));
    assert(ours.length === ctx.threads, `list_running shows ${ours.length} of ${ctx.threads}`);
    assert(ours.every((sandbox) => sandbox.sandbox_url.startsWith('http')), 'a listed sandbox has no URL');
    // The agent's own count field (not read by DeerFlow) agrees with its list.
    const raw = await gateways[0]!.list();
    assert(raw.body?.count === raw.body?.sandboxes.length, 'count disagrees with the list');
  });

  const raceId = `r${run}`;
  await report.check("50 duplicate creates for one id through DeerFlow's client, over all replicas, race to a single Pod", async () => {
    const deerflow = deerflowClient(ctx);
    const urls = ctx.agentUrls();
    await ctx.prepareThread?.('user-race', `thread-${raceId}`);
    const results = await mapLimit(Array.from({ length: 50 }, (_, index) => index), 50, (index) =>
      deerflow.create(urls[index % urls.length]!, raceId, `thread-${raceId}`, 'user-race'),
    );
    const failures = results.filter((result) => !result.ok).map((result) => (result.ok ? '' : result.error));
    assert(failures.length === 0, `${failures.length} creates raised: ${failures.slice(0, 3).join('; ')}`);
    const urlsSeen = new Set(results.map((result) => (result.ok ? result.result.sandbox_url : '')));
    assert(urlsSeen.size === 1, `${urlsSeen.size} different sandbox URLs`);
    const pods = (await sandboxPods(ctx)).filter((pod) => sandboxIdOf(pod) === raceId);
    assert(pods.length === 1, `expected exactly one Pod for ${raceId}, found ${pods.length}`);
  });

  await report.check('the per-user cap answers 429 naming the cap once reached', async () => {
    // user-0 holds ctx.threads / USERS sandboxes; fill it up to the release's cap, then one more.
    const limit = agentSettings(ctx.primary.deployment).SANDBOX_AGENT_MAX_SANDBOXES_PER_USER;
    assert(limit > 0, 'the release sets no per-user cap');
    const held = threads.filter((thread) => thread.userId === 'user-0').length;
    for (let index = held; index < limit; index += 1) {
      const result = await gateways[0]!.create(`u${run}x${index}`, `thread-u${run}-${index}`, 'user-0');
      assert(result.status === 200, `create ${index} under the cap: HTTP ${result.status} ${result.text}`);
    }
    // Caps are counted from each replica's watch cache: let every replica see the fills first
    // (the README documents the overshoot window of replicas racing each other).
    const filled = threads.filter((thread) => thread.userId === 'user-0').map((thread) => thread.sandboxId).concat(Array.from({ length: limit - held }, (_, i) => `u${run}x${held + i}`));
    await eventually('every replica to list the filled sandboxes', 10_000, async () => {
      const lists = await Promise.all(gateways.map((gateway) => gateway.list()));
      return lists.every((listed) => filled.every((id) => listed.body?.sandboxes.some((sandbox) => sandbox.sandbox_id === id)));
    });
    const over = await gateways[1 % gateways.length]!.create(`u${run}over`, `thread-u${run}-over`, 'user-0');
    assert(over.status === 429, `expected 429 over the per-user cap, got ${over.status} ${over.text}`);
    assert(/PER_USER/.test(over.text), `429 detail does not name the per-user cap: ${over.text}`);
    // What the gateway sees: DeerFlow's create raises (remote_backend.py:254-256) with the status,
    // and no Pod is made for it.
    const seen = await deerflowClient(ctx).create(ctx.agentUrls()[0]!, `u${run}over2`, `thread-u${run}-over2`, 'user-0');
    assert(!seen.ok && /Provisioner create failed: 429/.test(seen.error), `DeerFlow's create over the cap: ${seen.ok ? 'succeeded' : seen.error}`);
    assert(!(await sandboxPods(ctx)).some((pod) => sandboxIdOf(pod)?.startsWith(`u${run}over`)), 'a Pod was made over the cap');
  });

  await report.check('the global cap answers 429 naming the cap once reached', async () => {
    const limit = agentSettings(ctx.primary.deployment).SANDBOX_AGENT_MAX_SANDBOXES;
    assert(limit > 0, 'the release sets no global cap');
    const current = (await sandboxPods(ctx)).length;
    for (let index = current; index < limit; index += 1) {
      const result = await gateways[0]!.create(`g${run}x${index}`, `thread-g${run}-${index}`, `user-fill-${index}`);
      assert(result.status === 200, `create ${index} under the global cap: HTTP ${result.status} ${result.text}`);
    }
    const over = await gateways[0]!.create(`g${run}over`, `thread-g${run}-over`, 'user-newcomer');
    assert(over.status === 429, `expected 429 over the global cap, got ${over.status} ${over.text}`);
    assert(/MAX_SANDBOXES\b/.test(over.text), `429 detail does not name the global cap: ${over.text}`);
  });

  const releasedTtl = agentSettings(ctx.primary.deployment).SANDBOX_AGENT_RELEASED_TTL_SECONDS;
  await report.check(`TTL cleanup reclaims released sandboxes (released TTL ${releasedTtl} s)`, async () => {
    const victims = threads.slice(0, 5).map((thread) => thread.sandboxId);
    for (const id of victims) {
      const released = await gateways[0]!.release(id);
      assert(released.status === 200, `release ${id}: HTTP ${released.status} ${released.text}`);
    }
    const waitedMs = await eventually('released sandboxes to be reaped', (releasedTtl + 27) * 1000, async () => {
      const ids = new Set((await sandboxPods(ctx)).map(sandboxIdOf));
      return victims.every((id) => !ids.has(id));
    });
    const kept = (await sandboxPods(ctx)).filter((pod) => sandboxIdOf(pod)?.startsWith(`c${run}t`)).length;
    assert(kept === ctx.threads - victims.length, `reaper removed more than the released sandboxes: ${kept} left`);
    return waitedMs;
  }, (waitedMs) => ({ reapedWithinMs: waitedMs }));

  await report.check("destroy every sandbox through DeerFlow's client: nothing is left, discover finds none", async () => {
    const deerflow = deerflowClient(ctx);
    const urls = ctx.agentUrls();
    const ids = (await sandboxPods(ctx)).map(sandboxIdOf).filter((id): id is string => Boolean(id));
    // DeerFlow's destroy logs and swallows failures (remote_backend.py:258-271): what counts is
    // that the Pods and Services are gone and discovery no longer finds them.
    await mapLimit(ids, 20, async (id, index) => {
      const result = await deerflow.destroy(urls[index % urls.length]!, id);
      assert(result.ok, `destroy ${id} raised ${result.ok ? '' : result.error}`);
    });
    await ctx.kube.run(['wait', '--for=delete', 'pod', '-n', ctx.primary.deployment.namespace, '-l', `app.kubernetes.io/component=sandbox,app.kubernetes.io/instance=${ctx.primary.release}`, '--timeout=60s']).catch(() => undefined);
    const left = await sandboxPods(ctx);
    assert(left.length === 0, `${left.length} sandbox Pods left: ${left.map((pod) => pod.metadata?.name).slice(0, 5).join(', ')}`);
    const listed = await deerflow.list(urls[0]!);
    assert(listed.ok && listed.result.length === 0, `list_running still shows ${listed.ok ? listed.result.length : listed.error}`);
    for (const id of ids.slice(0, 5)) {
      const found = await deerflow.discover(urls[0]!, id);
      assert(found.ok && found.result === null, `discover ${id} after destroy: ${JSON.stringify(found)}`);
    }
    const services = await ctx.kube.services(ctx.primary.deployment.namespace, 'app=deer-flow-sandbox');
    assert(services.length === 0, `${services.length} sandbox Services left`);
    return ids.length;
  }, (destroyed) => ({ destroyed }));

  await report.check("exec into two sandboxes: each reads its own file, neither can read the other's", async () => {
    if (!realContainers(ctx)) throw new SkipCheck('this cluster has no real node (kwok nodes run no containers); runs on kind or the local real node');
    const [first, second] = [`i${run}a`, `i${run}b`];
    for (const id of [first, second]) {
      const acquired = await gateways[0]!.acquire(id, `thread-${id}`, `user-${id}`, 120);
      assert(acquired.status === 200 && acquired.ready, `acquire ${id}: HTTP ${acquired.status}, ready=${acquired.ready}`);
    }
    const podOf = async (id: string): Promise<string> => {
      const pod = (await sandboxPods(ctx)).find((candidate) => sandboxIdOf(candidate) === id);
      assert(pod, `no Pod for ${id}`);
      return nameOf(pod);
    };
    const exec = (pod: string, script: string): Promise<string> =>
      ctx.kube.run(['exec', '-n', ctx.primary.deployment.namespace, pod, '-c', 'sandbox', '--', 'sh', '-c', script]);
    for (const pod of await sandboxPods(ctx)) if ([first, second].includes(sandboxIdOf(pod) ?? '')) await openHostPathUserData(pod);
    const secretOf = (id: string) => `isolation-${run}-${id}`;
    for (const id of [first, second]) {
      // Positive control: each sandbox writes and reads back its own file.
      const own = await exec(await podOf(id), `echo ${secretOf(id)} > /mnt/user-data/antler-isolation && cat /mnt/user-data/antler-isolation`);
      assert(own.trim() === secretOf(id), `sandbox ${id} cannot read its own file: ${own}`);
    }
    const seen = await exec(await podOf(second), `cat /mnt/user-data/antler-isolation; grep -rls "${secretOf(first)}" /mnt 2>/dev/null; true`);
    assert(seen.trim() === secretOf(second), `the second sandbox sees more than its own file: ${seen}`);
    for (const id of [first, second]) await gateways[0]!.destroy(id);
  });
}

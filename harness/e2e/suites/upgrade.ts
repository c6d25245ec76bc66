// Upgrade and rollback with live sandboxes and data on a volume. No earlier chart version has
// been released yet, so the upgrade goes from the installed version to the current chart with
// changed values (as issue #5 allows until a previous version exists).
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { type E2eContext, assert, deerflowClient, realContainers, reconnectAgents, sandboxIdOf, sandboxPods } from '../context.js';
import { helmInstall, waitForRelease } from '../install.js';
import { nameOf } from '../kubectl.js';

interface Revision {
  revision: number;
  status: string;
}

async function history(ctx: E2eContext): Promise<Revision[]> {
  return JSON.parse(await ctx.kube.helm(['history', ctx.primary.release, '-n', ctx.primary.namespace, '-o', 'json'])) as Revision[];
}

/**
 * Data kept by Postgres. With real containers (kind, or the local backend's real node) the marker
 * is a row written and read through Postgres itself; on kwok-only nodes nothing runs, so it is a
 * file on the bound hostPath PV.
 */
async function writeMarker(ctx: E2eContext, hostPath: string, marker: string): Promise<void> {
  if (!realContainers(ctx)) return writeFile(path.join(hostPath, 'antler-e2e-marker'), marker);
  await psql(ctx, `CREATE TABLE IF NOT EXISTS antler_e2e_marker (value text NOT NULL); INSERT INTO antler_e2e_marker VALUES ('${marker}');`);
}

async function readMarker(ctx: E2eContext, hostPath: string): Promise<string> {
  if (!realContainers(ctx)) return readFile(path.join(hostPath, 'antler-e2e-marker'), 'utf8');
  return (await psql(ctx, 'SELECT string_agg(value, \',\') FROM antler_e2e_marker;')).trim();
}

/** SQL through psql in the Postgres Pod, authenticated over TCP with the release's password. */
async function psql(ctx: E2eContext, sql: string): Promise<string> {
  const script = 'PGPASSWORD="$POSTGRES_PASSWORD" psql -v ON_ERROR_STOP=1 -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tA';
  return ctx.kube.run(['exec', '-i', '-n', ctx.primary.namespace, await postgresPod(ctx), '--', 'sh', '-c', script], { input: sql });
}

async function postgresPod(ctx: E2eContext): Promise<string> {
  const [pod] = await ctx.kube.pods(ctx.primary.namespace, `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=postgresql`);
  assert(pod, 'no Postgres Pod');
  return nameOf(pod);
}

async function postgresVolume(ctx: E2eContext): Promise<{ pvc: V1PersistentVolumeClaim; hostPath: string }> {
  const [pvc] = await ctx.kube.persistentVolumeClaims(ctx.primary.namespace, `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=postgresql`);
  assert(pvc, 'the bundled Postgres has no PVC (is persistence enabled in the e2e values?)');
  const volumeName = pvc.spec?.volumeName;
  assert(volumeName, `PVC ${pvc.metadata?.name} is not bound`);
  const pv = await ctx.kube.persistentVolume(volumeName);
  const hostPath = pv.spec?.hostPath?.path;
  assert(hostPath, `PV ${volumeName} is not a hostPath volume`);
  return { pvc, hostPath };
}

export async function upgradeSuite(ctx: E2eContext): Promise<void> {
  const { report } = ctx;
  const run = randomBytes(3).toString('hex');
  // Upgrades and rollbacks replace the agent Pods (and their port-forwards): always the current ones.
  const gateway = () => ctx.gateways()[0]!;
  const ids = Array.from({ length: 5 }, (_, index) => `u${run}s${index}`);
  const marker = `antler-e2e ${run}`;
  let sandboxUids = new Map<string, string>();
  let volume: { pvc: V1PersistentVolumeClaim; hostPath: string } | undefined;

  await report.check('before: live sandboxes and data on the Postgres volume', async () => {
    for (const id of ids) {
      const acquired = await gateway().acquire(id, `thread-${id}`, 'user-upgrade', 30);
      assert(acquired.status === 200 && acquired.ready, `acquire ${id}: HTTP ${acquired.status}`);
    }
    sandboxUids = new Map((await sandboxPods(ctx)).map((pod) => [sandboxIdOf(pod) ?? '', pod.metadata?.uid ?? '']));
    volume = await postgresVolume(ctx);
    await writeMarker(ctx, volume.hostPath, marker);
  });

  await report.check('helm upgrade with changed values: the release rolls and becomes available', async () => {
    const before = await history(ctx);
    await helmInstall(ctx.kube, {
      release: ctx.primary.release,
      namespace: ctx.primary.namespace,
      chartRef: ctx.primary.chartRef,
      valuesFiles: ctx.primary.valuesFiles,
      extraArgs: [...ctx.primary.extraInstallArgs, '--set-string', `gateway.podAnnotations.antler\\.dev/upgraded=${run}`, '--set', 'sandbox.limits.maxSandboxesPerUser=12', '--wait', '--timeout', '3m'],
    }, 'upgrade');
    await waitForRelease(ctx.kube, ctx.primary.namespace, ctx.primary.release, 120, path.join(ctx.outDir, 'diagnosis'));
    // The changed cap rolls the agent Pods.
    await reconnectAgents(ctx);
    const after = await history(ctx);
    assert(after.length === before.length + 1, `expected one new revision, history went ${before.length} → ${after.length}`);
    const [gatewayDeployment] = await ctx.kube.deployments(ctx.primary.namespace, `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=gateway`);
    assert(gatewayDeployment, 'no gateway Deployment after the upgrade');
    const annotations = gatewayDeployment.spec?.template.metadata?.annotations ?? {};
    assert(annotations['antler.dev/upgraded'] === run, 'the changed value did not reach the gateway Pod template');
    return after.at(-1)?.revision;
  }, (revision) => ({ revision }));

  await report.check('no sandbox Pod lost across the upgrade', async () => {
    const now = new Map((await sandboxPods(ctx)).map((pod) => [sandboxIdOf(pod) ?? '', pod.metadata?.uid ?? '']));
    for (const id of ids) assert(now.get(id) === sandboxUids.get(id), `sandbox ${id} was lost or replaced (uid ${sandboxUids.get(id)} → ${now.get(id)})`);
    // As the upgraded gateway sees them: DeerFlow's discover finds each at its old URL.
    for (const id of ids) {
      const found = await deerflowClient(ctx).discover(ctx.agentUrls()[0]!, id);
      assert(found.ok && found.result?.sandbox_id === id, `DeerFlow's discover no longer finds ${id}: ${JSON.stringify(found)}`);
    }
  });

  await report.check('PVC data kept across the upgrade', async () => {
    assert(volume, 'no volume recorded before the upgrade');
    const now = await postgresVolume(ctx);
    assert(now.pvc.metadata?.uid === volume.pvc.metadata?.uid, 'the Postgres PVC was replaced');
    assert((await readMarker(ctx, now.hostPath)) === marker, 'the marker changed across the upgrade');
  });

  await report.check('helm rollback to the first revision works and keeps sandboxes and data', async () => {
    const first = (await history(ctx))[0];
    assert(first, 'no release history');
    await ctx.kube.helm(['rollback', ctx.primary.release, String(first.revision), '-n', ctx.primary.namespace, '--wait', '--timeout', '3m']);
    await waitForRelease(ctx.kube, ctx.primary.namespace, ctx.primary.release, 120, path.join(ctx.outDir, 'diagnosis'));
    await reconnectAgents(ctx);
    const latest = (await history(ctx)).at(-1);
    assert(latest?.status === 'deployed', `latest revision is ${latest?.status}`);
    const values = JSON.parse(await ctx.kube.helm(['get', 'values', ctx.primary.release, '-n', ctx.primary.namespace, '-o', 'json'])) as { gateway?: { podAnnotations?: Record<string, string> } };
    assert(!values.gateway?.podAnnotations?.['antler.dev/upgraded'], 'rollback did not restore the original values');
    const now = new Map((await sandboxPods(ctx)).map((pod) => [sandboxIdOf(pod) ?? '', pod.metadata?.uid ?? '']));
    for (const id of ids) assert(now.get(id) === sandboxUids.get(id), `sandbox ${id} lost in the rollback`);
    const vol = await postgresVolume(ctx);
    assert((await readMarker(ctx, vol.hostPath)) === marker, 'the marker was lost in the rollback');
    return latest?.revision;
  }, (revision) => ({ revision }));

  await report.check("clean up the suite's sandboxes", async () => {
    for (const id of ids) await gateway().destroy(id);
  });
}

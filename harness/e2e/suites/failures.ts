// Failure paths on real Pods: a sandbox whose readiness probe fails, an image the node does not
// have (imagePullPolicy Never: ErrImageNeverPull), and a sandbox killed at its memory limit. The
// agent's `?wait=ready` answers 504 naming the right reason, and deleting leaves nothing behind.
// Faults are injected the way they happen: a fault file the stand-in reads at start (written on
// the thread's hostPath before the Pod exists), and an image removed from the node's containerd.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { userDataHostPath } from '../../../sandbox-agent/src/podspec.js';
import { run } from '../../exec.js';
import { type E2eContext, assert, eventually, makeThreadDir, sandboxIdOf, sandboxPods } from '../context.js';
import { SkipCheck } from '../report.js';

export async function failuresSuite(ctx: E2eContext): Promise<void> {
  const { report } = ctx;
  const node = ctx.realNode;
  if (!node) {
    await report.check('failure paths on real Pods', async () => {
      throw new SkipCheck('this cluster has no real node (kwok marks every Pod Ready)');
    });
    return;
  }
  const tag = randomBytes(3).toString('hex');
  const env = (name: string) => ctx.primary.deployment.env.find((variable) => variable.name === name)?.value ?? '';
  const hostBase = { deerFlowHostBaseDir: env('DEER_FLOW_HOST_BASE_DIR'), threadsHostPath: env('THREADS_HOST_PATH') };
  const gateway = ctx.gateways()[0]!;

  /** Creates a sandbox and waits for it; resolves to the agent's answer to `?wait=ready`. */
  const acquireExpectingFailure = async (id: string, userId: string, waitSeconds: number) => {
    const created = await gateway.create(id, `thread-${id}`, userId);
    assert(created.status === 200, `create ${id}: HTTP ${created.status} ${created.text}`);
    return gateway.get(id, waitSeconds);
  };
  const leavesNothing = async (id: string) => {
    const deleted = await gateway.destroy(id);
    assert(deleted.status === 200, `delete ${id}: HTTP ${deleted.status} ${deleted.text}`);
    await eventually(`${id}'s Pod to be gone`, 60_000, async () => !(await sandboxPods(ctx)).some((pod) => sandboxIdOf(pod) === id));
    const services = await ctx.kube.services(ctx.primary.deployment.namespace, `sandbox-id=${id}`);
    assert(services.length === 0, `${id} left ${services.length} Service(s)`);
  };
  const withFault = async (id: string, userId: string, fault: 'unready' | 'oom') => {
    const dir = userDataHostPath(hostBase, userId, `thread-${id}`);
    await makeThreadDir(dir);
    await writeFile(path.join(dir, '.antler-fault'), `${fault}\n`);
  };

  await report.check('a sandbox that fails its readiness probe: 504 naming the failed probe, nothing leaks', async () => {
    const id = `p${tag}`;
    await withFault(id, 'user-fault', 'unready');
    const answer = await acquireExpectingFailure(id, 'user-fault', 20);
    assert(answer.status === 504, `expected 504 for a never-ready sandbox, got ${answer.status} ${answer.text}`);
    assert(/Unhealthy|Readiness probe failed/i.test(answer.text), `the reason does not name the failing probe: ${answer.text}`);
    await leavesNothing(id);
    return answer.text;
  }, (detail) => ({ detail }));

  await report.check('an image the node does not have (pull policy Never): 504 with ErrImageNeverPull, nothing leaks', async () => {
    const id = `m${tag}`;
    const image = ctx.realNodeImages?.['sandbox-standin'];
    assert(image, 'no sandbox image reference recorded for this run');
    const ctr = await node.ctr;
    const names = (await run(ctr.binary, ['--address', ctr.address, '-n', 'k8s.io', 'images', 'ls', '-q'])).stdout.split('\n').filter((name) => name.startsWith(image.split(':')[0] as string));
    await run(ctr.binary, ['--address', ctr.address, '-n', 'k8s.io', 'images', 'rm', ...names]);
    try {
      const answer = await acquireExpectingFailure(id, 'user-fault', 20);
      assert(answer.status === 504, `expected 504 for a missing image, got ${answer.status} ${answer.text}`);
      assert(/ErrImageNeverPull/.test(answer.text), `the reason is not ErrImageNeverPull: ${answer.text}`);
      await leavesNothing(id);
      return answer.text;
    } finally {
      await node.loadImages(['sandbox-standin']);
    }
  }, (detail) => ({ detail }));

  await report.check('a sandbox over its memory limit: 504 with OOMKilled, nothing leaks', async () => {
    const id = `o${tag}`;
    await withFault(id, 'user-fault', 'oom');
    const answer = await acquireExpectingFailure(id, 'user-fault', 30);
    assert(answer.status === 504, `expected 504 for an OOM-killed sandbox, got ${answer.status} ${answer.text}`);
    assert(/OOMKilled/.test(answer.text), `the reason is not OOMKilled: ${answer.text}`);
    await leavesNothing(id);
    return answer.text;
  }, (detail) => ({ detail }));
}

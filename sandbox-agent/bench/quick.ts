// Ad-hoc latency probe (not part of `make bench`): one agent against an existing cluster,
// N acquires at concurrency C, prints percentiles plus the agent's own kube create timings.
import { type Agent, admin, call, createNamespace, startAgent } from '../test/agent-process.js';

const kubeconfig = process.env.KUBECONFIG ?? '';
const conc = Number(process.env.C ?? '50');
const n = Number(process.env.N ?? '100');

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const a = admin(kubeconfig);
  const ns = await createNamespace(a, 'quick');
  let agent: Agent | undefined;
  try {
    agent = await startAgent({
      KUBECONFIG_PATH: kubeconfig, K8S_NAMESPACE: ns, PROVISIONER_API_KEY: 'k', SANDBOX_SERVICE_TYPE: 'Headless',
      SANDBOX_AGENT_HEADLESS_SERVICE: 'sbx', SANDBOX_AGENT_RELEASE: 'bench', LOG_LEVEL: 'warn',
      SANDBOX_AGENT_KUBE_QPS: '1000', SANDBOX_AGENT_KUBE_BURST: '1000', SANDBOX_AGENT_IDLE_TTL_SECONDS: '0',
    }, { entry: process.env.AGENT_ENTRY === 'dist' ? 'dist' : 'src', nodeArgs: (process.env.AGENT_NODE_ARGS ?? '').split(' ').filter(Boolean) });
    const ag = agent;
    for (let round = 0; round < 2; round++) {
      const lat: number[] = [];
      let next = 0;
      await Promise.all(Array.from({ length: conc }, async () => {
        while (next < n) {
          const i = next++;
          const t0 = performance.now();
          const r = await call(ag, 'POST', '/api/sandboxes', { sandbox_id: `q${round}x${i}` });
          if (r.status !== 200) throw new Error(r.text);
          lat.push(performance.now() - t0);
        }
      }));
      console.log(`round ${round} c${conc}: p50 ${pct(lat, 0.5).toFixed(0)} p95 ${pct(lat, 0.95).toFixed(0)} p99 ${pct(lat, 0.99).toFixed(0)} max ${pct(lat, 1).toFixed(0)}`);
    }
    const m = (await call(ag, 'GET', '/metrics', undefined, {})).text;
    console.log(m.split('\n').filter((l) => /kube_request_duration_seconds_(sum|count)\{.*create|ratelimit_wait_seconds_(sum|count)|resident|eventloop_lag_(max|p99)|http_request/.test(l)).join('\n'));
  } finally {
    await agent?.stop();
    await a.core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
}
main().catch((e: unknown) => { console.error(e); process.exit(1); });

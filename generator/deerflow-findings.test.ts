/**
 * What the real DeerFlow gateway showed (issue 10), checked on the rendered chart: each test
 * failed on the chart before its fix. The behaviour itself is proven end to end by the e2e's
 * `deerflow` suite against the real gateway (harness/e2e/suites/deerflow.ts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CHART_DIR, VALUES_DIR, helmBinary, outcome } from './test-tools.js';

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: { runAsUser?: number; capabilities?: { add?: string[] } };
}
interface Obj {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { template?: { spec?: { containers: Container[]; initContainers?: Container[]; volumes?: { name: string }[] } } };
}

const LOCAL = ['-f', join(VALUES_DIR, 'profiles/local.yaml')];

async function render(args: readonly string[]): Promise<Obj[]> {
  const r = await outcome(await helmBinary(4), ['template', 't', CHART_DIR, '-n', 'team-a', ...args]);
  if (r.code !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => o !== null);
}

async function renderError(args: readonly string[]): Promise<string> {
  const r = await outcome(await helmBinary(4), ['template', 't', CHART_DIR, '-n', 'team-a', ...args]);
  expect(r.code).not.toBe(0);
  return r.stderr;
}

const find = (objects: Obj[], kind: string, name: string): Obj => {
  const obj = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!obj) throw new Error(`${kind}/${name} not rendered`);
  return obj;
};
const gatewayPod = (objects: Obj[]) => find(objects, 'Deployment', 't-deerflow-gateway').spec!.template!.spec!;
const config = (objects: Obj[]) => parse(find(objects, 'ConfigMap', 't-deerflow-gateway').data!['config.yaml']!) as Record<string, unknown>;
const nginxConf = (objects: Obj[]) => find(objects, 'ConfigMap', 't-deerflow-nginx').data!['nginx.conf']!;

describe('issue 10: what the real DeerFlow gateway needs from the chart', () => {
  it('finding 1: nginx forwards the Host the browser used, port included, and clears Forwarded/X-Forwarded-Port', async () => {
    const conf = nginxConf(await render(LOCAL));
    expect(conf).toMatch(/map \$http_host \$forwarded_host \{\s+default \$http_host;/);
    expect(conf).toContain('proxy_set_header X-Forwarded-Host $forwarded_host;');
    expect(conf).toContain('proxy_set_header Host $forwarded_host;');
    expect(conf).not.toMatch(/proxy_set_header (X-Forwarded-)?Host \$host;/);
    expect(conf).toContain('proxy_set_header Forwarded "";');
    expect(conf).toContain('proxy_set_header X-Forwarded-Port "";');
  });

  it('finding 9: X-Forwarded-Proto is mapped (only https believed), not passed through', async () => {
    const conf = nginxConf(await render(LOCAL));
    expect(conf).toMatch(/map \$http_x_forwarded_proto \$forwarded_proto \{\s+default\s+\$scheme;\s+~\^https\s+https;/);
  });

  it('finding 3: sandboxes share the gateway\'s thread storage, so DeerFlow is told thread_data_mounts', async () => {
    expect((config(await render(LOCAL)).sandbox as Record<string, unknown>).thread_data_mounts).toBe(true);
  });

  it('finding 5: extensions_config.json lives on the home volume and is only seeded when absent', async () => {
    const pod = gatewayPod(await render(LOCAL));
    const gateway = pod.containers.find((c) => c.name === 'gateway')!;
    expect(gateway.env?.find((e) => e.name === 'DEER_FLOW_EXTENSIONS_CONFIG_PATH')?.value).toBe('/app/backend/.deer-flow/extensions_config.json');
    const seed = pod.initContainers?.find((c) => c.name === 'seed-extensions');
    expect(seed?.command?.join(' ')).toContain('[ -e /app/backend/.deer-flow/extensions_config.json ] ||');
    expect(pod.volumes?.map((v) => v.name)).not.toContain('runtime');
  });

  it('finding 6: public skills are published from deerflow.skills.image into the home skills root', async () => {
    const objects = await render([...LOCAL, '--set', 'sandbox.skills.source=home', '--set', 'persistence.home.mode=pvc', '--set', 'persistence.home.accessMode=ReadWriteMany',
      '--set', 'deerflow.skills.image.registry=registry.example', '--set', 'deerflow.skills.image.repository=acme/deerflow-skills', '--set', 'deerflow.skills.image.tag=2.1.0']);
    const publish = gatewayPod(objects).initContainers?.find((c) => c.name === 'publish-skills');
    expect(publish?.args?.[0]).toContain('cp -R /skills/public/. /app/backend/.deer-flow/skills/.public-new');
    expect((config(objects).skills as Record<string, unknown>).path).toBe('/app/backend/.deer-flow/skills');
  });

  it('finding 7: gateway.workers starts that many uvicorn workers', async () => {
    const gateway = gatewayPod(await render(LOCAL)).containers.find((c) => c.name === 'gateway')!;
    expect(gateway.command?.join(' ')).toContain('uvicorn app.gateway.app:app --host 0.0.0.0 --port 8001 --workers "$GATEWAY_WORKERS"');
    expect(gateway.env?.find((e) => e.name === 'GATEWAY_WORKERS')?.value).toBe('1');
  });

  it('finding 9: only `database:` is rendered (no deprecated checkpointer), SQLite on the home volume', async () => {
    const pg = config(await render(LOCAL));
    expect(pg).not.toHaveProperty('checkpointer');
    const sqlite = config(await render([...LOCAL, '--set', 'postgresql.mode=none', '--set', 'redis.mode=none', '--set', 'deerflow.config.runEventsBackend=memory', '--set', 'deerflow.config.agentStorageBackend=file', '--set', 'deerflow.config.runOwnershipHeartbeat=false']));
    expect(sqlite.database).toEqual({ backend: 'sqlite', sqlite_dir: '/app/backend/.deer-flow/data' });
  });

  it('finding 9: NO_PROXY keeps cluster names off any proxy; the frontend gets a writable .next/cache and no BETTER_AUTH_SECRET', async () => {
    const objects = await render(LOCAL);
    const gateway = gatewayPod(objects).containers.find((c) => c.name === 'gateway')!;
    expect(gateway.env?.find((e) => e.name === 'NO_PROXY')?.value).toContain('.svc.cluster.local');
    const frontend = find(objects, 'Deployment', 't-deerflow-frontend').spec!.template!.spec!.containers[0]!;
    expect(frontend.volumeMounts?.map((m) => m.mountPath)).toContain('/app/frontend/.next/cache');
    expect(frontend.env?.map((e) => e.name)).not.toContain('BETTER_AUTH_SECRET');
  });

  it('DeerFlow loads only listed tools: with sandboxes on, its sandbox tools are listed', async () => {
    const tools = (config(await render(LOCAL)).tools as { name: string; use: string }[]).map((t) => `${t.name}=${t.use}`);
    expect(tools).toEqual(['ls', 'read_file', 'glob', 'grep', 'write_file', 'str_replace', 'bash'].map((t) => `${t}=deerflow.sandbox.tools:${t}_tool`));
  });

  it('hostPath home: a root init container hands the directory to the gateway user (the kubelet creates it root-owned)', async () => {
    const own = gatewayPod(await render(LOCAL)).initContainers?.find((c) => c.name === 'own-home');
    expect(own?.command).toEqual(['chown', '1000:1000', '/app/backend/.deer-flow']);
    expect(own?.securityContext).toMatchObject({ runAsUser: 0, capabilities: { add: ['CHOWN'] } });
    expect(gatewayPod(await render([...LOCAL, '--set', 'persistence.home.mode=pvc', '--set', 'persistence.home.accessMode=ReadWriteMany'])).initContainers?.map((c) => c.name)).not.toContain('own-home');
  });

  it('finding 4: a per-user cap below DeerFlow\'s warm pool is refused, naming both numbers', async () => {
    const message = await renderError([...LOCAL, '--set', 'sandbox.limits.maxSandboxesPerUser=2', '--set', 'sandbox.gatewaySide.replicas=4']);
    expect(message).toContain('sandbox.limits.maxSandboxesPerUser: 2 is below sandbox.gatewaySide.replicas (4)');
    await render([...LOCAL, '--set', 'sandbox.limits.maxSandboxesPerUser=0', '--set', 'sandbox.gatewaySide.replicas=4']);
  });
});

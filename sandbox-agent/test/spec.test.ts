import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { BadRequestError } from '../src/errors.js';
import { resolveMounts } from '../src/mounts.js';
import { buildPod, buildService, headlessUrl, urlFromService } from '../src/podspec.js';
import { isWithin, joinHostPath, pyNormpath } from '../src/pypath.js';
import { parseCreateRequest, type CreateSandboxRequest } from '../src/validation.js';

function req(body: Record<string, unknown>): CreateSandboxRequest {
  const r = parseCreateRequest(body);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

function pod(env: Record<string, string>, body: Record<string, unknown>) {
  const cfg = loadConfig(env);
  const r = req(body);
  return buildPod(r, resolveMounts(r, cfg), { cfg, ownerReference: undefined, now: new Date('2026-01-01T00:00:00Z') });
}

describe('config', () => {
  it('uses upstream defaults', () => {
    const c = loadConfig({});
    expect(c.namespace).toBe('deer-flow');
    expect(c.containerPort).toBe(8080);
    expect(c.serviceMode).toBe('NodePort');
    expect(c.nodeHost).toBe('host.docker.internal');
    expect(c.extraMountHostBase).toBe('/.deer-flow');
    expect(c.apiKeys).toEqual([]);
    expect(c.releasedTtlSeconds).toBe(3600);
    expect(c.pod.automountServiceAccountToken).toBe(false);
  });
  it('requires the headless Service name in Headless mode', () => {
    expect(() => loadConfig({ SANDBOX_SERVICE_TYPE: 'Headless' })).toThrow('SANDBOX_AGENT_HEADLESS_SERVICE');
    expect(loadConfig({ SANDBOX_SERVICE_TYPE: 'Headless', SANDBOX_AGENT_HEADLESS_SERVICE: 'sbx' }).serviceMode).toBe('Headless');
  });
  it('accepts several API keys for rotation', () => {
    expect(loadConfig({ PROVISIONER_API_KEY: 'a', SANDBOX_AGENT_API_KEYS: 'b, c,,a' }).apiKeys).toEqual(['a', 'b', 'c']);
  });
  it('derives the extra-mount base from THREADS_HOST_PATH only when the base dir is empty', () => {
    expect(loadConfig({ DEER_FLOW_HOST_BASE_DIR: '', THREADS_HOST_PATH: '/x/threads/' }).extraMountHostBase).toBe('/x');
    expect(loadConfig({ DEER_FLOW_HOST_BASE_DIR: '', THREADS_HOST_PATH: '/x/other' }).extraMountHostBase).toBe('');
  });
});

describe('python path semantics', () => {
  it('normalizes like posixpath.normpath', () => {
    expect(pyNormpath('/a/./b/../c/')).toBe('/a/c');
    expect(pyNormpath('//a')).toBe('//a');
    expect(pyNormpath('///a')).toBe('/a');
    expect(pyNormpath('../x')).toBe('../x');
    expect(pyNormpath('')).toBe('.');
  });
  it('checks containment by path components, not string prefix', () => {
    expect(isWithin('/state/x', '/state')).toBe(true);
    expect(isWithin('/state', '/state')).toBe(true);
    expect(isWithin('/statefoo', '/state')).toBe(false);
    expect(isWithin('/x', '')).toBe(false);
  });
  it('joins host paths like pathlib', () => {
    expect(joinHostPath('/.deer-flow/', 'users', 'u')).toBe('/.deer-flow/users/u');
    expect(joinHostPath('C:\\df', 'threads', 't')).toBe('C:\\df\\threads\\t');
  });
});

describe('request validation (contract §6.20–21)', () => {
  it.each([
    [{}, 'missing'],
    [{ sandbox_id: 'a', thread_id: '' }, 'string_pattern_mismatch'],
    [{ sandbox_id: 'a', thread_id: 'thread.with.dot' }, 'string_pattern_mismatch'],
    [{ sandbox_id: 'a', thread_id: '../escape' }, 'string_pattern_mismatch'],
    [{ sandbox_id: 'a', thread_id: 'x'.repeat(65) }, 'string_pattern_mismatch'],
    [{ sandbox_id: 'a', user_id: 'bad/user' }, 'string_pattern_mismatch'],
    [{ sandbox_id: 'a', user_id: '' }, 'string_pattern_mismatch'],
    [{ sandbox_id: 'a', user_id: null }, 'string_type'],
    [{ sandbox_id: 'a', extra_mounts: null }, 'list_type'],
    [{ sandbox_id: 'a', include_legacy_skills: 'maybe' }, 'bool_parsing'],
    [{ sandbox_id: 'Bad_ID' }, 'string_pattern_mismatch'],
    [{ sandbox_id: 'a'.repeat(52) }, 'string_too_long'],
    [{ sandbox_id: 7 }, 'string_type'],
  ])('rejects %j with %s', (body, type) => {
    const r = parseCreateRequest(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.type).toBe(type);
  });
  it('rejects non-object bodies', () => {
    expect(parseCreateRequest([]).ok).toBe(false);
    expect(parseCreateRequest(undefined).ok).toBe(false);
  });
  it('accepts the edge cases upstream accepts, with lax bools and unknown keys ignored', () => {
    const r = req({ sandbox_id: 'a', thread_id: 'x'.repeat(64), user_id: 'A1_b-2', include_legacy_skills: 'yes', junk: 1 });
    expect(r.thread_id).toBe('x'.repeat(64));
    expect(r.include_legacy_skills).toBe(true);
    expect(req({ sandbox_id: 'a', thread_id: null }).thread_id).toBeNull();
    expect(req({ sandbox_id: 'a' }).user_id).toBe('default');
  });
});

describe('extra mounts (contract §6.22–25)', () => {
  const env = { DEER_FLOW_HOST_BASE_DIR: '/state' };
  const bad = (mounts: unknown[]) => () => {
    const cfg = loadConfig(env);
    const r = req({ sandbox_id: 'a', extra_mounts: mounts });
    resolveMounts(r, cfg);
  };
  const lark = '/mnt/integrations/lark-cli/config';
  it.each([
    [Array.from({ length: 11 }, () => ({ host_path: '/state/x', container_path: '/mnt/acp-workspace' })), 'Too many extra mounts; max is 10'],
    [[{ host_path: '/etc', container_path: lark }], 'Extra mount host path is outside DeerFlow state: /etc'],
    [[{ host_path: 'rel/x', container_path: lark }], 'Extra mount host path must be absolute: rel/x'],
    [[{ host_path: '/state/users/a/x', container_path: '/mnt/secrets' }], 'Unsupported extra mount path: /mnt/secrets'],
    [[{ host_path: '/state/users/a/x', container_path: 'relative' }], 'Extra mount path must be absolute: relative'],
    [
      [
        { host_path: '/state/a', container_path: '/mnt/skills/integrations' },
        { host_path: '/state/b', container_path: '/mnt/skills/integrations/' },
      ],
      'Duplicate extra mount path: /mnt/skills/integrations',
    ],
  ])('400 %#', (mounts, detail) => {
    expect(bad(mounts)).toThrow(BadRequestError);
    expect(bad(mounts)).toThrow(detail);
  });
  it('PVC mode rejects the base dir itself', () => {
    const cfg = loadConfig({ ...env, USERDATA_PVC_NAME: 'home' });
    const r = req({ sandbox_id: 'a', extra_mounts: [{ host_path: '/state', container_path: lark }] });
    expect(() => resolveMounts(r, cfg)).toThrow('Invalid extra mount host path: /state');
  });
  it('maps a valid hostPath mount to extra-0 after user-data', () => {
    const m = { host_path: '/state/users/alice/integrations/lark-cli/config', container_path: lark, read_only: false };
    const p = pod(env, { sandbox_id: 'a', user_id: 'alice', extra_mounts: [m] });
    expect(p.spec?.volumes?.map((v) => v.name)).toEqual(['skills-public', 'skills-custom', 'skills-legacy', 'user-data', 'extra-0']);
    expect(p.spec?.volumes?.[4]?.hostPath).toEqual({ path: m.host_path, type: 'DirectoryOrCreate' });
    expect(p.spec?.containers[0]?.volumeMounts?.[4]).toEqual({ name: 'extra-0', mountPath: lark, readOnly: false });
    const ro = pod(env, { sandbox_id: 'a', extra_mounts: [{ ...m, read_only: true }] });
    expect(ro.spec?.volumes?.[4]?.hostPath?.type).toBe('Directory');
    const pvc = pod({ ...env, USERDATA_PVC_NAME: 'home' }, { sandbox_id: 'a', extra_mounts: [m] });
    expect(pvc.spec?.volumes?.[4]).toEqual({ name: 'extra-0', persistentVolumeClaim: { claimName: 'home' } });
    expect(pvc.spec?.containers[0]?.volumeMounts?.[4]?.subPath).toBe('deer-flow/users/alice/integrations/lark-cli/config');
  });
});

describe('pod spec (contract §6.6–8, 16–19, 26–29)', () => {
  const body = { sandbox_id: 'abc123', thread_id: 'thread-1', user_id: 'user-1' };
  it('probes readiness at the configured period and keeps 15 s of tolerance', () => {
    const c = pod({ SANDBOX_AGENT_POD_READINESS_PERIOD_SECONDS: '5' }, body).spec?.containers[0];
    expect(c?.readinessProbe).toEqual({ httpGet: { path: '/v1/sandbox', port: 8080 }, initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 });
    expect(() => pod({ SANDBOX_AGENT_POD_READINESS_PERIOD_SECONDS: '0' }, body)).toThrow(/SANDBOX_AGENT_POD_READINESS_PERIOD_SECONDS/);
  });
  it('keeps the upstream container, liveness probe and default hostPath layout, hardened', () => {
    const p = pod({}, body);
    const c = p.spec?.containers[0];
    expect(p.metadata?.name).toBe('sandbox-abc123');
    expect(p.metadata?.labels).toMatchObject({ app: 'deer-flow-sandbox', 'sandbox-id': 'abc123', 'app.kubernetes.io/component': 'sandbox' });
    expect(c?.name).toBe('sandbox');
    expect(c?.imagePullPolicy).toBe('IfNotPresent');
    expect(c?.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    // Probed from container start every second, with upstream's 15 s of failure tolerance.
    expect(c?.readinessProbe).toEqual({ httpGet: { path: '/v1/sandbox', port: 8080 }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 15 });
    expect(c?.livenessProbe?.initialDelaySeconds).toBe(10);
    expect(c?.resources?.limits).toEqual({ cpu: '1000m', memory: '1Gi', 'ephemeral-storage': '500Mi' });
    expect(c?.securityContext).toEqual({ privileged: false, allowPrivilegeEscalation: false });
    expect(c?.env).toBeUndefined();
    expect(p.spec?.initContainers).toBeUndefined();
    expect(p.spec?.restartPolicy).toBe('Always');
    expect(p.spec?.automountServiceAccountToken).toBe(false);
    expect(p.spec?.enableServiceLinks).toBe(false);
    expect(p.spec?.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: true });
    expect(p.spec?.volumes).toEqual([
      { name: 'skills-public', hostPath: { path: '/.deer-flow/skills_view/public', type: 'Directory' } },
      { name: 'skills-custom', hostPath: { path: '/.deer-flow/users/user-1/skills_view/custom', type: 'Directory' } },
      { name: 'skills-legacy', hostPath: { path: '/.deer-flow/users/user-1/skills_view/legacy', type: 'Directory' } },
      // Per user, where DeerFlow's gateway keeps the thread (issue 10 finding 3: it was threads/<tid>).
      { name: 'user-data', hostPath: { path: '/.deer-flow/users/user-1/threads/thread-1/user-data', type: 'DirectoryOrCreate' } },
    ]);
    expect(c?.volumeMounts?.map((m) => [m.mountPath, m.readOnly, m.subPath])).toEqual([
      ['/mnt/skills/public', true, undefined],
      ['/mnt/skills/custom', true, undefined],
      ['/mnt/skills/legacy', true, undefined],
      ['/mnt/user-data', false, undefined],
    ]);
  });
  it('falls back to the sandbox id and the default user', () => {
    const p = pod({}, { sandbox_id: 'abc123' });
    expect(p.spec?.volumes?.[1]?.hostPath?.path).toBe('/.deer-flow/users/default/skills_view/custom');
    expect(p.spec?.volumes?.[3]?.hostPath?.path).toBe('/.deer-flow/users/default/threads/abc123/user-data');
  });
  it('uses the chart\'s sandbox pull policy (Never for images loaded onto the node), IfNotPresent by default', () => {
    expect(pod({}, body).spec?.containers[0]?.imagePullPolicy).toBe('IfNotPresent');
    expect(pod({ SANDBOX_AGENT_POD_IMAGE_PULL_POLICY: 'Never' }, body).spec?.containers[0]?.imagePullPolicy).toBe('Never');
  });
  it('issue 10 finding 8: sandbox Pods stop within 5 s by default, so a re-acquire fits DeerFlow\'s 30 s create timeout', () => {
    expect(pod({}, body).spec?.terminationGracePeriodSeconds).toBe(5);
    expect(pod({ SANDBOX_AGENT_POD_TERMINATION_GRACE_SECONDS: '0' }, body).spec?.terminationGracePeriodSeconds).toBe(0);
  });
  it('keeps the upstream THREADS_HOST_PATH layout only when no DeerFlow host base is set', () => {
    const p = pod({ DEER_FLOW_HOST_BASE_DIR: '', THREADS_HOST_PATH: '/data/threads' }, body);
    expect(p.spec?.volumes?.find((v) => v.name === 'user-data')?.hostPath?.path).toBe('/data/threads/thread-1/user-data');
  });
  it('uses the PVCs and the skills subPath template', () => {
    const p = pod({ USERDATA_PVC_NAME: 'home', SKILLS_PVC_NAME: 'sk', SKILLS_PVC_SUBPATH_TEMPLATE: 'deer-flow/users/{user_id}/threads/{thread_id}/skills' }, body);
    expect(p.spec?.volumes).toEqual([
      { name: 'skills', persistentVolumeClaim: { claimName: 'sk', readOnly: true } },
      { name: 'user-data', persistentVolumeClaim: { claimName: 'home' } },
    ]);
    expect(p.spec?.containers[0]?.volumeMounts).toEqual([
      { name: 'skills', mountPath: '/mnt/skills', readOnly: true, subPath: 'deer-flow/users/user-1/threads/thread-1/skills' },
      { name: 'user-data', mountPath: '/mnt/user-data', readOnly: false, subPath: 'deer-flow/users/user-1/threads/thread-1/user-data' },
    ]);
  });
  it('PVC skills with DeerFlow\'s per-user mounts beneath /mnt/skills: the PVC\'s public/ goes to /mnt/skills/public, so the runtime can make the nested mountpoints', () => {
    const nestedBody = { ...body, extra_mounts: [
      { host_path: '/state/users/user-1/skills_view/custom', container_path: '/mnt/skills/custom', read_only: true },
      { host_path: '/state/users/user-1/skills_view/integrations', container_path: '/mnt/skills/integrations', read_only: true },
    ] };
    const env = { DEER_FLOW_HOST_BASE_DIR: '/state', SKILLS_PVC_NAME: 'sk', SKILLS_PVC_SUBPATH_TEMPLATE: 'deer-flow/skills_view/' };
    const mounts = pod(env, nestedBody).spec?.containers[0]?.volumeMounts ?? [];
    expect(mounts.find((m) => m.name === 'skills')).toEqual({ name: 'skills', mountPath: '/mnt/skills/public', readOnly: true, subPath: 'deer-flow/skills_view/public' });
    expect(mounts.map((m) => m.mountPath)).toEqual(expect.arrayContaining(['/mnt/skills/custom', '/mnt/skills/integrations']));
    // No mount sits inside another read-only volume's mountpoint.
    expect(mounts.some((m) => m.mountPath === '/mnt/skills')).toBe(false);
    const noTemplate = pod({ ...env, SKILLS_PVC_SUBPATH_TEMPLATE: '' }, nestedBody).spec?.containers[0]?.volumeMounts?.find((m) => m.name === 'skills');
    expect(noTemplate?.subPath).toBe('public');
  });
  it('sets container port 9000 everywhere', () => {
    const cfg = loadConfig({ SANDBOX_CONTAINER_PORT: '9000', SANDBOX_SERVICE_TYPE: 'ClusterIP', K8S_NAMESPACE: 'ns1' });
    const r = req(body);
    const svc = buildService(r, { cfg, ownerReference: undefined, now: new Date() });
    expect(svc.spec?.ports).toEqual([{ name: 'http', port: 9000, targetPort: 9000, protocol: 'TCP' }]);
    expect(svc.spec?.selector).toEqual({ 'sandbox-id': 'abc123' });
    expect(urlFromService(svc, cfg)).toBe('http://sandbox-abc123-svc.ns1.svc.cluster.local:9000');
  });
  it('builds the headless URL and Pod DNS fields', () => {
    const env = { SANDBOX_SERVICE_TYPE: 'Headless', SANDBOX_AGENT_HEADLESS_SERVICE: 'sbx', K8S_NAMESPACE: 'ns1', SANDBOX_AGENT_CLUSTER_DOMAIN: 'c.example' };
    const p = pod(env, body);
    expect(p.spec?.hostname).toBe('sandbox-abc123');
    expect(p.spec?.subdomain).toBe('sbx');
    expect(headlessUrl('abc123', loadConfig(env))).toBe('http://sandbox-abc123.sbx.ns1.svc.c.example:8080');
  });
  it('lark runtime pattern A', () => {
    const p = pod({ LARK_CLI_INIT_IMAGE: 'img-a', DEER_FLOW_HOST_BASE_DIR: '/s' }, {
      ...body,
      provision_lark_cli_runtime: true,
      extra_mounts: [
        { host_path: '/s/r', container_path: '/mnt/integrations/lark-cli/runtime' },
        { host_path: '/s/c', container_path: '/mnt/integrations/lark-cli/config', read_only: true },
        { host_path: '/s/l', container_path: '/mnt/integrations/lark-cli/config/locks' },
      ],
    });
    expect(p.spec?.initContainers?.map((c) => [c.name, c.image, c.env])).toEqual([
      ['lark-cli-init', 'img-a', [{ name: 'LARK_CLI_RUNTIME_DEST', value: '/mnt/integrations/lark-cli/runtime' }]],
    ]);
    expect(p.spec?.volumes?.map((v) => v.name)).toEqual(['skills-public', 'skills-custom', 'skills-legacy', 'user-data', 'extra-0', 'extra-1', 'lark-cli-runtime']);
    expect(p.spec?.containers[0]?.volumeMounts?.slice(4).map((m) => [m.mountPath, m.readOnly])).toEqual([
      ['/mnt/integrations/lark-cli/config', true],
      ['/mnt/integrations/lark-cli/config/locks', false],
      ['/mnt/integrations/lark-cli/runtime', true],
    ]);
    expect(pod({}, { ...body, provision_lark_cli_runtime: true }).spec?.initContainers).toBeUndefined();
  });
  it('lark broker pattern B wins and moves credentials to the sidecar', () => {
    const p = pod({ LARK_CLI_INIT_IMAGE: 'img-a', LARK_CLI_BROKER_IMAGE: 'img-b', DEER_FLOW_HOST_BASE_DIR: '/s', DEERFLOW_LARK_BROKER_DENY_SUBCOMMANDS: 'config show, auth token' }, {
      ...body,
      provision_lark_cli_runtime: true,
      provision_lark_cli_broker: true,
      extra_mounts: [
        { host_path: '/s/d', container_path: '/mnt/integrations/lark-cli/data' },
        { host_path: '/s/c', container_path: '/mnt/integrations/lark-cli/config', read_only: true },
        { host_path: '/s/l', container_path: '/mnt/integrations/lark-cli/config/locks' },
      ],
    });
    expect(p.spec?.initContainers?.[0]?.name).toBe('lark-cli-shim-init');
    expect(p.spec?.initContainers?.[0]?.args).toEqual(['install-shim', '/mnt/integrations/lark-cli/runtime']);
    const [sandbox, broker] = p.spec?.containers ?? [];
    expect(sandbox?.env).toEqual([{ name: 'DEERFLOW_LARK_BROKER_URL', value: 'http://127.0.0.1:8788' }]);
    expect(sandbox?.volumeMounts?.map((m) => m.mountPath)).toEqual(['/mnt/skills/public', '/mnt/skills/custom', '/mnt/skills/legacy', '/mnt/user-data', '/mnt/integrations/lark-cli/runtime']);
    expect(broker?.name).toBe('lark-cli-broker');
    expect(broker?.args).toEqual(['serve']);
    expect(broker?.env?.find((e) => e.name === 'DEERFLOW_LARK_BROKER_DENY_SUBCOMMANDS')?.value).toBe('config show, auth token');
    expect(broker?.volumeMounts?.map((m) => [m.name, m.mountPath, m.readOnly])).toEqual([
      ['lark-cli-config', '/var/lark/config', true],
      ['lark-cli-locks', '/var/lark/config/locks', false],
      ['lark-cli-data', '/var/lark/data', false],
    ]);
  });
  it('applies placement and hardening settings', () => {
    const p = pod(
      {
        SANDBOX_AGENT_POD_RUNTIME_CLASS: 'gvisor',
        SANDBOX_AGENT_POD_NODE_SELECTOR: '{"pool":"sandbox"}',
        SANDBOX_AGENT_POD_TOLERATIONS: '[{"key":"sandbox","operator":"Exists","effect":"NoSchedule"}]',
        SANDBOX_AGENT_POD_IMAGE_PULL_SECRETS: '["reg"]',
        SANDBOX_AGENT_POD_RUN_AS_USER: '1000',
        SANDBOX_AGENT_POD_LABELS: '{"team":"ai"}',
        SANDBOX_AGENT_RELEASE: 'rel',
      },
      body,
    );
    expect(p.spec?.runtimeClassName).toBe('gvisor');
    expect(p.spec?.nodeSelector).toEqual({ pool: 'sandbox' });
    expect(p.spec?.tolerations).toHaveLength(1);
    expect(p.spec?.imagePullSecrets).toEqual([{ name: 'reg' }]);
    expect(p.spec?.securityContext?.runAsUser).toBe(1000);
    expect(p.metadata?.labels).toMatchObject({ team: 'ai', 'app.kubernetes.io/instance': 'rel', 'app.kubernetes.io/managed-by': 'antler-sandbox-agent', 'app.kubernetes.io/name': 'deerflow-sandbox' });
  });
});

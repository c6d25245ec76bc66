// DeerFlow itself, used the way a user uses it, through the chart's nginx at localhost:<port>
// (the NOTES' port-forward): first admin, logout and login (origin checks behind nginx on a
// non-default port), a thread, an upload, a turn whose model (the fake OpenAI-compatible
// provider: the only fake besides the sandbox stand-in) calls a sandbox tool, so DeerFlow's own
// AioSandboxProvider acquires a real sandbox Pod through our agent; the file the sandbox wrote,
// read back through the gateway's artifact route; MCP config kept across a gateway restart; the
// bundled public skills listed. DeerFlow's model calls go through the chart's LLM gateway (the
// pinned LiteLLM proxy as a real Pod): the provider sees the gateway Pod as its caller, and the
// gateway's counters hold the turn's tokens and their cost.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { eventually } from '../../wait.js';
import type { FakeLlmProvider, RecordedRequest } from '../../fakes/llm-provider.js';
import { LITELLM_VERSION } from '../../litellm/version.js';
import { type E2eContext, assert, podIp, realNodeOrSkip, sandboxIdOf, sandboxPods } from '../context.js';
import { DeerflowUser } from '../deerflow-user.js';
import { NODE_NETWORK } from '../../node/layout.js';
import { type LlmGateway, type RenderedDeployment, type Spend, connectLlmGateway, containerProcess, llmGatewayPods, renderedDeployments, spendOf } from '../llm-gateway.js';
import { nameOf, podReady } from '../kubectl.js';

export interface DeerflowSuiteOptions {
  /** The fake provider behind the release's LLM gateway. */
  llm: FakeLlmProvider;
  /** The model name in the release's config: a model group of the gateway. */
  model: string;
  /** The prices per million tokens the release's values give the group's deployment. */
  prices: { inputPerMillion: number; outputPerMillion: number };
}

/** What the gateway's counters should have gained from these provider calls, by the rendered prices. */
function expectedSpend(calls: readonly RecordedRequest[], deployment: RenderedDeployment): Spend {
  const input = calls.reduce((sum, r) => sum + (r.usage?.prompt_tokens ?? 0), 0);
  const output = calls.reduce((sum, r) => sum + (r.usage?.completion_tokens ?? 0), 0);
  return { inputTokens: input, outputTokens: output, spend: input * deployment.inputCostPerToken + output * deployment.outputCostPerToken };
}

const spendDelta = (after: Spend, before: Spend): Spend => ({ spend: after.spend - before.spend, inputTokens: after.inputTokens - before.inputTokens, outputTokens: after.outputTokens - before.outputTokens });

interface Thread {
  thread_id: string;
}

/** The HTTP status a WebSocket upgrade request gets (101 when accepted). */
function websocketUpgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      headers: { ...headers, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
      timeout: 15_000,
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('no answer to the upgrade within 15s')));
    request.on('error', reject);
    request.end();
  });
}

export async function deerflowSuite(ctx: E2eContext, given: DeerflowSuiteOptions | undefined): Promise<void> {
  const { report, kube } = ctx;
  const ready = await realNodeOrSkip(ctx, given, 'the real DeerFlow gateway', 'the DeerFlow gateway cannot run in a kwok Pod');
  if (!ready) return;
  const { node, inputs: options } = ready;
  const tag = randomBytes(3).toString('hex');
  const nginx = `${ctx.primary.release}-nginx`;
  const forward = await kube.portForward(ctx.primary.namespace, `svc/${nginx}`, 2026, '/nginx-health');
  const base = `http://localhost:${forward.port}`;
  let llm: LlmGateway | undefined;
  let served: RenderedDeployment | undefined;
  const admin = new DeerflowUser(base);
  const { email, password } = ctx.firstAdmin;
  let thread = '';

  try {
    const createdBy = ctx.firstAdmin.createdBy;
    if (createdBy) {
      await report.check(`sign in through nginx at ${base} as the first admin the ${createdBy} suite created (Origin and Host with the port)`, async () => {
        const setup = await admin.request<{ needs_setup: boolean }>('GET', '/api/v1/auth/setup-status');
        assert(setup.status === 200 && setup.json?.needs_setup === false, `setup-status after the ${createdBy} suite made the admin: HTTP ${setup.status} ${setup.text}`);
        const login = await admin.request('POST', '/api/v1/auth/login/local', { form: { username: email, password } });
        assert(login.status === 200, `login: HTTP ${login.status} ${login.text}`);
        const me = await admin.request<{ email: string; system_role: string }>('GET', '/api/v1/auth/me');
        assert(me.status === 200 && me.json?.email === email && me.json.system_role === 'admin', `/me: HTTP ${me.status} ${me.text}`);
        assert(admin.cookie('access_token') && admin.cookie('csrf_token'), 'login set no session and CSRF cookies');
      });
    } else {
      await report.check(`first admin through nginx at ${base} (Origin and Host with the port, as a browser sends them)`, async () => {
        const setup = await admin.request<{ needs_setup: boolean }>('GET', '/api/v1/auth/setup-status');
        assert(setup.status === 200 && setup.json?.needs_setup === true, `setup-status: HTTP ${setup.status} ${setup.text}`);
        const created = await admin.request<{ system_role: string }>('POST', '/api/v1/auth/initialize', { json: { email, password, remember_me: true } });
        assert(created.status === 201, `initialize: HTTP ${created.status} ${created.text}`);
        ctx.firstAdmin.createdBy = 'deerflow';
        assert(created.json?.system_role === 'admin', `initialize made a ${created.json?.system_role}`);
        assert(admin.cookie('access_token') && admin.cookie('csrf_token'), 'initialize set no session and CSRF cookies');
      });
    }

    await report.check('a cross-site Origin is refused, the page\'s own origin is not', async () => {
      const stranger = new DeerflowUser(base);
      const refused = await stranger.request('POST', '/api/v1/auth/login/local', { form: { username: email, password }, origin: 'http://evil.example' });
      assert(refused.status === 403, `a foreign Origin got HTTP ${refused.status} ${refused.text}`);
    });

    await report.check('log out and log in again', async () => {
      const out = await admin.request('POST', '/api/v1/auth/logout');
      assert(out.status === 200, `logout: HTTP ${out.status} ${out.text}`);
      assert(!admin.cookie('access_token'), 'logout kept the session cookie');
      const me = await admin.request('GET', '/api/v1/auth/me');
      assert(me.status === 401, `after logout /me is HTTP ${me.status}`);
      const login = await admin.request('POST', '/api/v1/auth/login/local', { form: { username: email, password, remember_me: 'true' } });
      assert(login.status === 200, `login: HTTP ${login.status} ${login.text}`);
      const again = await admin.request<{ email: string }>('GET', '/api/v1/auth/me');
      assert(again.status === 200 && again.json?.email === email, `after login /me is HTTP ${again.status} ${again.text}`);
    });

    await report.check('log in through the nginx NodePort at <node address>:<nodePort> (the kind profile\'s way in)', async () => {
      const service = await kube.service(ctx.primary.namespace, nginx);
      assert(service.spec?.type === 'NodePort', `the nginx Service is ${service.spec?.type}, not NodePort`);
      const nodePort = (service.spec.ports ?? []).find((port) => port.nodePort)?.nodePort;
      assert(nodePort, 'the nginx Service has no nodePort');
      const viaNode = new DeerflowUser(`http://${NODE_NETWORK.nodeIp}:${nodePort}`);
      const login = await viaNode.request('POST', '/api/v1/auth/login/local', { form: { username: email, password } });
      assert(login.status === 200, `login at ${viaNode.origin}: HTTP ${login.status} ${login.text}`);
      const me = await viaNode.request<{ email: string }>('GET', '/api/v1/auth/me');
      assert(me.status === 200 && me.json?.email === email, `/me at ${viaNode.origin}: HTTP ${me.status} ${me.text}`);
      return viaNode.origin;
    }, (origin) => ({ origin }));

    await report.check('the browser-stream WebSocket upgrade passes nginx and reaches the gateway\'s checks', async () => {
      // Browser tools are off in this release, so the gateway closes before accepting for every
      // origin (uvicorn answers the upgrade with 403); what this shows is that nginx upgrades the
      // connection to the gateway with the cookie (no 4xx from nginx itself, no 401 page).
      const status = await websocketUpgrade(`${base}/api/threads/probe-${tag}/browser/stream`, { origin: base, cookie: `access_token=${admin.cookie('access_token')}` });
      assert(status === 403, `the upgrade got HTTP ${status}`);
      // uvicorn logs the WebSocket request: the upgrade reached the gateway, not just nginx.
      const logs = await kube.run(['logs', '-n', ctx.primary.namespace, `deployment/${ctx.primary.release}-gateway`, '--since=2m']);
      assert(logs.includes(`"WebSocket /api/threads/probe-${tag}/browser/stream" 403`), 'the gateway never saw the WebSocket upgrade');
      return status;
    }, (status) => ({ status }));

    await report.check('the LLM gateway runs as a real Pod on the real node (non-root, read-only root filesystem), ready on /health/readiness, with the chart\'s config and the bundled price list', async () => {
      const pods = await llmGatewayPods(ctx);
      assert(pods.length > 0, 'the release has no LLM gateway Pod');
      const processes: string[] = [];
      for (const pod of pods) {
        const name = nameOf(pod);
        const { spec, status } = pod;
        const container = spec?.containers[0];
        assert(spec?.nodeName === node.name, `${name} runs on ${spec?.nodeName ?? 'no node'}, not the real node ${node.name}`);
        assert(container, `${name} has no container`);
        assert(container.image === ctx.realNodeImages?.litellm, `${name} runs ${container.image}, not the image built here (${ctx.realNodeImages?.litellm})`);
        assert(podReady(pod), `${name} is not Ready: ${JSON.stringify(status).slice(0, 400)}`);
        const containerId = status?.containerStatuses?.[0]?.containerID;
        assert(containerId, `${name} reports no container id`);
        const proc = await containerProcess(node, containerId);
        const runAsUser = container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
        assert(proc.uid !== 0 && proc.uid === runAsUser, `${name}: the proxy runs as uid ${proc.uid}, the chart asks for ${runAsUser}`);
        assert(container.securityContext?.readOnlyRootFilesystem === true && proc.readOnlyRoot, `${name}: the proxy's root filesystem is not read-only`);
        // Start-up: the container's start to the Pod's Ready (the proxy's import and config load).
        // client-node gives timestamps as Dates; a missing one is NaN, as an unparsable string was.
        const startedAt = status?.containerStatuses?.[0]?.state?.running?.startedAt?.getTime() ?? Number.NaN;
        const readyAt = status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime?.getTime() ?? Number.NaN;
        const startup = Number.isFinite(startedAt) && Number.isFinite(readyAt) ? `${((readyAt - startedAt) / 1000).toFixed(0)}s to Ready` : 'start-up time unknown';
        processes.push(`${name} pid ${proc.pid} uid ${proc.uid} gid ${proc.gid} ro /, ${startup}, ${status?.containerStatuses?.[0]?.restartCount ?? 0} restarts`);
      }
      llm = await connectLlmGateway(ctx);
      const ready = await llm.get<{ status?: string }>('/health/readiness', false);
      assert(ready.status === 200 && ready.json?.status === 'healthy', `/health/readiness: HTTP ${ready.status} ${ready.text.slice(0, 300)}`);
      const details = await llm.get<{ litellm_version?: string }>('/health/readiness/details');
      assert(details.status === 200 && details.json?.litellm_version === LITELLM_VERSION, `/health/readiness/details: HTTP ${details.status} ${details.text.slice(0, 300)} (want litellm ${LITELLM_VERSION})`);
      // The proxy serves exactly the deployments the chart rendered from the release's values.
      const rendered = renderedDeployments(llm.configYaml, options.model);
      const info = await llm.get<{ data?: { model_name: string; model_info?: { id?: string }; litellm_params?: { api_base?: string } }[] }>('/model/info');
      assert(info.status === 200, `/model/info: HTTP ${info.status} ${info.text.slice(0, 300)}`);
      const loaded = (info.json?.data ?? []).filter((d) => d.model_name === options.model);
      assert(JSON.stringify(loaded.map((d) => d.model_info?.id).sort()) === JSON.stringify(rendered.map((d) => d.id).sort()), `the proxy serves ${options.model} as ${JSON.stringify(loaded.map((d) => d.model_info?.id))}, the chart rendered ${JSON.stringify(rendered.map((d) => d.id))}`);
      assert(rendered.length === 1 && rendered[0]!.apiBase === options.llm.baseUrl, `${options.model} should have one deployment at the fake provider ${options.llm.baseUrl}: ${JSON.stringify(rendered)}`);
      served = rendered[0]!;
      const perToken = (perMillion: number) => perMillion / 1e6;
      assert(Math.abs(served.inputCostPerToken - perToken(options.prices.inputPerMillion)) < 1e-15 && Math.abs(served.outputCostPerToken - perToken(options.prices.outputPerMillion)) < 1e-15, `rendered prices per token ${served.inputCostPerToken}/${served.outputCostPerToken} are not the values' ${options.prices.inputPerMillion}/${options.prices.outputPerMillion} per million`);
      // LITELLM_LOCAL_MODEL_COST_MAP=True in effect: the price list is the bundled one, no fetch at start-up.
      const costMap = await llm.get<{ source?: string; is_env_forced?: boolean; model_count?: number }>('/model/cost_map/source');
      assert(costMap.status === 200 && costMap.json?.source === 'local' && costMap.json.is_env_forced === true, `/model/cost_map/source: HTTP ${costMap.status} ${costMap.text.slice(0, 300)}`);
      return { processes, version: details.json.litellm_version, deployment: served.id, costMap: `${costMap.json.source} (${costMap.json.model_count ?? '?'} models)` };
    }, (value) => value);

    await report.check('the chart\'s pre-puller runs on the real node: its init container ran the sandbox image (as uid 65534, exit 0) before the first sandbox, its pause container keeps the Pod Ready', async () => {
      const pods = await kube.pods(ctx.primary.namespace, `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=sandbox-pre-puller`);
      const pod = pods.find((p) => p.spec?.nodeName === node.name);
      assert(pod, `no pre-puller Pod on the real node ${node.name} (Pods: ${pods.map((p) => `${nameOf(p)} on ${p.spec?.nodeName ?? 'no node'}`).join(', ') || 'none'})`);
      const init = pod.spec?.initContainers?.[0];
      assert(init?.image === ctx.realNodeImages?.['sandbox-standin'], `the pre-puller pulls ${init?.image}, not the sandbox image ${ctx.realNodeImages?.['sandbox-standin']}`);
      const done = pod.status?.initContainerStatuses?.[0]?.state?.terminated;
      assert(done?.exitCode === 0, `the pre-puller's init container did not exit 0: ${JSON.stringify(pod.status?.initContainerStatuses ?? []).slice(0, 400)}`);
      assert(podReady(pod), `${nameOf(pod)} is not Ready: ${JSON.stringify(pod.status?.conditions ?? []).slice(0, 400)}`);
      const priority = pod.spec?.priority ?? 0;
      assert(priority < 0, `${nameOf(pod)} has priority ${priority}; the pre-puller must sit below sandbox Pods (0)`);
      return { pod: nameOf(pod), image: init?.image, priority, initFinished: done.finishedAt?.toISOString() };
    }, (value) => value);

    await report.check('create a thread and upload a file', async () => {
      const created = await admin.request<Thread>('POST', '/api/threads', { json: { metadata: { e2e: tag } } });
      assert(created.status === 200 && created.json?.thread_id, `create thread: HTTP ${created.status} ${created.text}`);
      thread = created.json.thread_id;
      const form = new FormData();
      form.append('files', new Blob([`uploaded by the e2e ${tag}\n`], { type: 'text/plain' }), 'notes.txt');
      const uploaded = await admin.request<{ success: boolean; files: { virtual_path: string }[] }>('POST', `/api/threads/${thread}/uploads`, { body: form });
      assert(uploaded.status === 200 && uploaded.json?.success, `upload: HTTP ${uploaded.status} ${uploaded.text}`);
      assert(uploaded.json.files.some((f) => f.virtual_path === '/mnt/user-data/uploads/notes.txt'), `upload landed elsewhere: ${uploaded.text}`);
      return thread;
    }, (id) => ({ thread: id }));

    const artifact = `/mnt/user-data/outputs/e2e-${tag}.txt`;
    const content = `written in the sandbox by DeerFlow's write_file tool (${tag})\n`;
    await report.check('a turn through the LLM gateway: the model calls write_file, DeerFlow acquires a sandbox Pod through the agent, the reply streams back', async () => {
      assert(thread, 'no thread');
      assert(llm && served, 'the LLM gateway was not reached (see its check)');
      const gateway = llm;
      const deployment = served;
      const spendBefore = await spendOf(gateway, deployment.id);
      const before = options.llm.requests.length;
      const call = JSON.stringify({ name: 'write_file', arguments: { description: 'save the e2e artifact', path: artifact, content } });
      const turn = await admin.stream(`/api/threads/${thread}/runs/stream`, {
        assistant_id: 'lead_agent',
        input: { messages: [{ role: 'user', content: `Save the artifact.\nTOOL ${call}` }] },
        context: { model_name: options.model, thinking_enabled: false },
        stream_mode: ['values', 'messages-tuple'],
      }, 240_000);
      assert(turn.status === 200, `runs/stream: HTTP ${turn.status}`);
      const errors = turn.events.filter((e) => e.event === 'error');
      assert(errors.length === 0, `the run reported ${JSON.stringify(errors)}`);
      const llmCalls = options.llm.requests.slice(before);
      assert(llmCalls.some((r) => r.outcome === 'tool_call') && llmCalls.some((r) => r.outcome === 'text'), `the model was asked ${llmCalls.length} times: ${llmCalls.map((r) => r.outcome).join(', ')}`);
      assert(llmCalls.every((r) => r.stream), 'DeerFlow did not stream from the model');
      const sandboxes = (await sandboxPods(ctx)).filter((pod) => pod.metadata?.annotations?.['sandbox.antler.dev/thread-id'] === thread);
      assert(sandboxes.length === 1, `expected one sandbox Pod for the thread, found ${sandboxes.length}`);
      // The tool ran in it: a sandbox that never became Ready fails write_file inside the turn,
      // which the model's scripted answer would otherwise hide.
      assert(podReady(sandboxes[0]!), `the thread's sandbox Pod is not Ready: ${JSON.stringify(sandboxes[0]!.status?.containerStatuses ?? sandboxes[0]!.status).slice(0, 600)}`);
      const streamedText = JSON.stringify(turn.events.filter((e) => e.event === 'messages' || e.event === 'values'));
      assert(streamedText.includes('Done.'), 'the final answer was not streamed');
      // Every model call reached the provider from the LLM gateway's Pod (Pod IPs are not
      // masqueraded on the node's bridge), none from DeerFlow's gateway itself.
      const gatewayIps = (await llmGatewayPods(ctx)).map(podIp);
      const deerflowIps = (await kube.pods(ctx.primary.namespace, `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=gateway`)).map(podIp);
      const callers = [...new Set(llmCalls.map((r) => r.remoteAddress))];
      assert(callers.every((ip) => gatewayIps.includes(ip)), `model calls reached the provider from ${callers.join(', ')}, not only from the LLM gateway Pod (${gatewayIps.join(', ')}; DeerFlow's gateway is ${deerflowIps.join(', ')})`);
      assert(llmCalls.every((r) => r.usage), 'the provider reported no usage for some calls (DeerFlow asks for it, factory.py stream_usage; the gateway must pass stream_options on)');
      // The gateway counted them: tokens as the provider reported them, spend = tokens x the rendered prices.
      let counted: Spend = { spend: 0, inputTokens: 0, outputTokens: 0 };
      let expected: Spend = counted;
      await eventually('the LLM gateway\'s token and spend counters to count the turn\'s calls', 30_000, async () => {
        expected = expectedSpend(options.llm.requests.slice(before), deployment);
        counted = spendDelta(await spendOf(gateway, deployment.id), spendBefore);
        return counted.inputTokens === expected.inputTokens && counted.outputTokens === expected.outputTokens && Math.abs(counted.spend - expected.spend) < 1e-12;
      }, 1_000).catch((error: Error) => {
        throw new Error(`${error.message}: counted ${JSON.stringify(counted)}, the provider's usage gives ${JSON.stringify(expected)}`);
      });
      return { events: turn.events.length, sandbox: sandboxIdOf(sandboxes[0]!), modelCalls: llmCalls.length, callers, deerflowGateway: deerflowIps, counted };
    }, (value) => value);

    await report.check('the LLM gateway is a client of the release\'s Redis, on the database of the chart\'s URL', async () => {
      // The URL and password as the chart hands them to the proxy (llmGateway.redis.mode: release).
      const [deployment] = await kube.deployments(ctx.primary.namespace, `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=llm-gateway`);
      const env = deployment?.spec?.template.spec?.containers[0]?.env ?? [];
      const url = env.find((e) => e.name === 'LITELLM_REDIS_URL')?.value;
      const passwordRef = env.find((e) => e.name === 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef;
      assert(url && passwordRef?.name, `the LLM gateway Deployment has no LITELLM_REDIS_URL value or REDIS_PASSWORD Secret reference: ${JSON.stringify(env.map((e) => e.name))}`);
      const db = new URL(url.replace('$(REDIS_PASSWORD)', 'x')).pathname.slice(1) || '0';
      const password = await kube.secretValue(ctx.primary.namespace, passwordRef.name, passwordRef.key);
      const [redis] = await kube.pods(ctx.primary.namespace, `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=redis`);
      assert(redis, 'the release has no Redis Pod');
      const gatewayIps = (await llmGatewayPods(ctx)).map(podIp);
      const clients = (await kube.run(['exec', '-n', ctx.primary.namespace, nameOf(redis), '--', 'redis-cli', '--no-auth-warning', '-a', password, 'CLIENT', 'LIST'])).split('\n').filter(Boolean);
      const fromGateway = clients.filter((line) => gatewayIps.some((ip) => line.includes(` addr=${ip}:`)));
      assert(fromGateway.length > 0, `no Redis client from the LLM gateway (${gatewayIps.join(', ')}); clients: ${clients.map((l) => /addr=\S+/.exec(l)?.[0]).join(', ')}`);
      assert(fromGateway.every((line) => line.includes(` db=${db} `)), `the gateway's Redis clients use another database than ${db}: ${fromGateway.join(' | ')}`);
      return { clients: fromGateway.length, db };
    }, (value) => value);

    await report.check('the file the sandbox wrote is downloadable through the gateway\'s artifact route', async () => {
      const got = await admin.request('GET', `/api/threads/${thread}/artifacts${artifact}`);
      assert(got.status === 200, `artifact: HTTP ${got.status} ${got.text.slice(0, 300)}`);
      assert(got.text === content, `artifact content differs: ${JSON.stringify(got.text.slice(0, 200))}`);
    });

    await report.check('MCP config edited in the API survives a gateway restart', async () => {
      const servers = { [`probe-${tag}`]: { type: 'http', url: 'http://probe.invalid/mcp', enabled: false, description: 'e2e probe' } };
      const put = await admin.request('PUT', '/api/mcp/config', { json: { mcp_servers: servers } });
      assert(put.status === 200, `PUT /api/mcp/config: HTTP ${put.status} ${put.text}`);
      const selector = `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=gateway`;
      await kube.run(['delete', 'pod', '-n', ctx.primary.namespace, '-l', selector, '--wait=true', '--timeout=90s']);
      await kube.run(['rollout', 'status', '-n', ctx.primary.namespace, `deployment/${ctx.primary.release}-gateway`, '--timeout=180s']);
      await eventually('the restarted gateway to answer through nginx', 120_000, async () => (await admin.request('GET', '/api/v1/auth/me')).status === 200, 1000);
      const got = await admin.request<{ mcp_servers: Record<string, unknown> }>('GET', '/api/mcp/config');
      assert(got.status === 200 && got.json?.mcp_servers?.[`probe-${tag}`], `after the restart the MCP config is ${got.text}`);
    });

    await report.check('DeerFlow\'s bundled public skills are listed', async () => {
      const got = await admin.request<{ skills: { name: string; category: string }[] }>('GET', '/api/skills');
      assert(got.status === 200, `GET /api/skills: HTTP ${got.status} ${got.text}`);
      const publicSkills = (got.json?.skills ?? []).filter((s) => s.category === 'public');
      assert(publicSkills.length > 0, `no public skills: ${got.text.slice(0, 300)}`);
      return publicSkills.length;
    }, (count) => ({ publicSkills: count }));
  } finally {
    await forward.stop();
    await llm?.stop();
  }
}

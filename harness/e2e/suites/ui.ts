// DeerFlow's web UI as a user meets it: headless Chromium (Debian's) at localhost:<port>, the
// NOTES' port-forward to the chart's nginx, in front of the real frontend Pod (built here from the
// pinned source) and the real gateway. A first visit is sent to the setup page, where the first
// admin is made; logout from the account settings, login on the login page; a new chat with a file
// attached, whose turn the fake OpenAI-compatible provider answers through the LLM gateway,
// streamed to the page over SSE through nginx; the reply and the file shown in the page. Every
// step leaves a screenshot in the report. Runs before the deerflow suite, which then signs in
// with the admin made here.
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import type { FakeLlmProvider } from '../../fakes/llm-provider.js';
import { launchChromium } from '../browser.js';
import { type E2eContext, assert, eventually, realNodeOrSkip } from '../context.js';
import { containerProcess } from '../llm-gateway.js';
import { nameOf } from '../kubectl.js';

export interface UiSuiteOptions {
  /** The fake provider behind the release's LLM gateway (DeerFlow's model). */
  llm: FakeLlmProvider;
}

/** What the page asked of nginx that was refused or failed (4xx/5xx), but the expected 401s of a signed-out page. */
interface Refusal {
  status: number;
  method: string;
  url: string;
}

function watchRefusals(page: Page, origin: string): Refusal[] {
  const refused: Refusal[] = [];
  page.on('response', (response: Response) => {
    const url = response.url();
    if (!url.startsWith(origin) || response.status() < 400) return;
    // Signed out, the page asks who the user is and is told 401: that is the answer, not a fault.
    if (response.status() === 401 && url.includes('/api/v1/auth/me')) return;
    refused.push({ status: response.status(), method: response.request().method(), url: url.slice(origin.length) });
  });
  return refused;
}

async function sessionCookie(context: BrowserContext, name: string): Promise<string | undefined> {
  return (await context.cookies()).find((cookie) => cookie.name === name)?.value;
}

export async function uiSuite(ctx: E2eContext, given: UiSuiteOptions | undefined): Promise<void> {
  const { report, kube } = ctx;
  const ready = await realNodeOrSkip(ctx, given, 'the real DeerFlow web UI in a browser', 'the frontend and the gateway cannot run in kwok Pods');
  if (!ready) return;
  const { node, inputs: options } = ready;
  const tag = randomBytes(3).toString('hex');
  const { email, password } = ctx.firstAdmin;
  const forward = await kube.portForward(ctx.primary.namespace, `svc/${ctx.primary.release}-nginx`, 2026, '/nginx-health');
  const base = `http://localhost:${forward.port}`;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let context: BrowserContext | undefined;
  const shot = async (title: string): Promise<void> => {
    if (page) report.screenshot(title, await page.screenshot());
  };
  // A failed step still leaves the page it failed on in the report.
  const step = <T>(name: string, body: (p: Page, c: BrowserContext) => Promise<T>, details?: (value: T) => Record<string, unknown>) =>
    report.check(name, async () => {
      assert(page && context, 'the browser did not start (see the first check)');
      try {
        return await body(page, context);
      } catch (error) {
        await shot(`where it failed: ${name.slice(0, 60)}`).catch(() => undefined);
        throw error;
      }
    }, details);
  let refused: Refusal[] = [];

  try {
    await report.check('the frontend runs as a real Pod on the real node from the image built here (uid 1000, read-only root filesystem, writable .next/cache)', async () => {
      const pods = await kube.pods(ctx.primary.namespace, `app.kubernetes.io/instance=${ctx.primary.release},app.kubernetes.io/component=frontend`);
      assert(pods.length > 0, 'the release has no frontend Pod');
      const processes: string[] = [];
      for (const pod of pods) {
        const podName = nameOf(pod);
        const { spec, status } = pod;
        const container = spec?.containers[0];
        assert(spec && container, `${podName} has no container`);
        assert(spec.nodeName === node.name, `${podName} runs on ${spec.nodeName ?? 'no node'}, not the real node ${node.name}`);
        assert(container.image === ctx.realNodeImages?.['deerflow-frontend'], `${podName} runs ${container.image}, not the image built here (${ctx.realNodeImages?.['deerflow-frontend']})`);
        assert(status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), `${podName} is not Ready: ${JSON.stringify(status).slice(0, 400)}`);
        const containerId = status?.containerStatuses?.[0]?.containerID;
        assert(containerId, `${podName} reports no container id`);
        const proc = await containerProcess(node, containerId);
        assert(proc.uid === 1000 && container.securityContext?.runAsUser === 1000, `${podName}: the frontend runs as uid ${proc.uid} (the chart asks for ${container.securityContext?.runAsUser})`);
        assert(container.securityContext?.readOnlyRootFilesystem === true && proc.readOnlyRoot, `${podName}: the frontend's root filesystem is not read-only`);
        // Next.js writes its cache there: the mount must take a write from the app's own user.
        await kube.run(['exec', '-n', ctx.primary.namespace, podName, '--', 'sh', '-c', `echo probe > /app/frontend/.next/cache/antler-probe-${tag} && rm /app/frontend/.next/cache/antler-probe-${tag}`]);
        processes.push(`${podName} pid ${proc.pid} uid ${proc.uid} ro /, ${status?.containerStatuses?.[0]?.restartCount ?? 0} restarts`);
      }
      return processes;
    }, (processes) => ({ processes }));

    await report.check(`Debian's Chromium, headless, opens the app through nginx at ${base}`, async () => {
      browser = await launchChromium();
      context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
      page = await context.newPage();
      refused = watchRefusals(page, base);
      const response = await page.goto('/', { waitUntil: 'load' });
      assert(response?.status() === 200, `GET / answered HTTP ${response?.status()}`);
      assert(response.headers()['x-powered-by']?.includes('Next.js'), `GET / was not served by the Next.js frontend: ${JSON.stringify(response.headers())}`);
      const title = await page.title();
      assert(/deer ?flow/i.test(title), `the landing page's title is ${JSON.stringify(title)}`);
      await shot('Landing page');
      return { browser: browser.version(), title };
    }, (value) => value);

    await step('a first visit to the workspace is sent to the setup page, where the first admin is created', async (p, c) => {
      assert(!ctx.firstAdmin.createdBy, `the release already has its first admin (made by the ${ctx.firstAdmin.createdBy} suite): the ui suite runs first`);
      await p.goto('/workspace');
      await p.waitForURL(/\/setup(\?|$)/, { timeout: 30_000 });
      await p.locator('#email').fill(email);
      await p.locator('#password').fill(password);
      await p.locator('#confirmPassword').fill(password);
      await shot('Setup: the first admin');
      await p.locator('form button[type="submit"]').click();
      await p.waitForURL(/\/workspace(\/|\?|$)/, { timeout: 60_000 });
      ctx.firstAdmin.createdBy = 'ui';
      assert(await sessionCookie(c, 'access_token'), 'setup left no access_token cookie in the browser');
      assert(await sessionCookie(c, 'csrf_token'), 'setup left no csrf_token cookie in the browser');
      const me = await p.evaluate(async () => {
        const response = await fetch('/api/v1/auth/me', { credentials: 'include' });
        return { status: response.status, body: await response.text() };
      });
      assert(me.status === 200 && me.body.includes(email) && me.body.includes('"admin"'), `/api/v1/auth/me from the page: HTTP ${me.status} ${me.body}`);
      await p.waitForLoadState('networkidle').catch(() => undefined);
      await shot('Workspace after setup');
    });

    await step('log out from the account settings, then log in on the login page', async (p, c) => {
      // The settings dialog's deep link (?settings=account); /workspace itself redirects and drops it.
      await p.goto('/workspace/chats/new?settings=account');
      await shot('Account settings');
      await p.getByRole('button', { name: /sign out/i }).click();
      await eventually('the browser to drop its session cookie', 30_000, async () => !(await sessionCookie(c, 'access_token')), 250);
      await p.goto('/workspace');
      await p.waitForURL(/\/login(\?|$)/, { timeout: 30_000 });
      await p.locator('#email').fill(email);
      await p.locator('#password').fill(password);
      await shot('Login page, signed out');
      await p.locator('form button[type="submit"]').click();
      await p.waitForURL(/\/workspace(\/|\?|$)/, { timeout: 60_000 });
      assert(await sessionCookie(c, 'access_token'), 'login left no access_token cookie in the browser');
      await shot('Workspace after login');
    });

    const fileName = `ui-notes-${tag}.txt`;
    const prompt = `Hello from the ui suite ${tag}: please read the attached notes.`;
    await step('a new chat with a file attached: the upload, and the reply the fake model streams through the LLM gateway and nginx (SSE), shown in the page', async (p) => {
      await p.goto('/workspace/chats/new');
      const input = p.getByPlaceholder(/how can i assist you/i);
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await p.locator('input[type="file"]').first().setInputFiles({ name: fileName, mimeType: 'text/plain', buffer: Buffer.from(`uploaded from the browser by the ui suite ${tag}\n`) });
      await p.getByText(fileName).first().waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(prompt);
      await shot('New chat: a message and an attached file');
      const before = options.llm.requests.length;
      const upload = p.waitForResponse((r) => /\/api\/threads\/[^/]+\/uploads$/.test(new URL(r.url()).pathname) && r.request().method() === 'POST', { timeout: 60_000 });
      const stream = p.waitForResponse((r) => /\/runs\/stream$/.test(new URL(r.url()).pathname) && r.request().method() === 'POST', { timeout: 60_000 });
      await input.press('Enter');
      const uploaded = await upload;
      assert(uploaded.status() === 200, `the page's upload answered HTTP ${uploaded.status()}: ${await uploaded.text().catch(() => '')}`);
      const streamed = await stream;
      assert(streamed.status() === 200, `runs/stream answered HTTP ${streamed.status()}`);
      assert(streamed.headers()['content-type']?.startsWith('text/event-stream'), `runs/stream came back as ${streamed.headers()['content-type']}, not an event stream`);
      await p.waitForURL(/\/workspace\/chats\/[0-9a-f-]{36}/, { timeout: 60_000 });
      const thread = /\/workspace\/chats\/([0-9a-f-]{36})/.exec(p.url())?.[1];
      await p.getByText(`${options.llm.name} answered`).first().waitFor({ state: 'visible', timeout: 180_000 });
      const asked = options.llm.requests.slice(before).filter((r) => r.lastUserText.includes(tag));
      assert(asked.length > 0, `the fake provider got no request with this chat's message (${options.llm.requests.length - before} requests since it was sent)`);
      assert(asked.every((r) => r.stream), 'DeerFlow did not stream this turn from the model');
      await p.getByText(prompt).first().waitFor({ state: 'visible', timeout: 15_000 });
      await p.getByText(fileName).first().waitFor({ state: 'visible', timeout: 15_000 });
      // The file is the thread's, as the gateway lists it to the signed-in page.
      const listed = await p.evaluate(async (id) => {
        const response = await fetch(`/api/threads/${id}/uploads/list`, { credentials: 'include' });
        return { status: response.status, body: await response.text() };
      }, thread);
      assert(listed.status === 200 && listed.body.includes(fileName), `uploads/list for thread ${thread}: HTTP ${listed.status} ${listed.body.slice(0, 300)}`);
      await shot('The reply and the attached file in the chat');
      return { thread, modelCalls: asked.length };
    }, (value) => value);

    await step('nothing the page asked for was refused or failed (no CSRF/origin 403, no 5xx)', async () => {
      assert(refused.length === 0, `refused: ${refused.map((r) => `${r.method} ${r.url} ${r.status}`).join('; ')}`);
    });
  } finally {
    await browser?.close();
    await forward.stop();
  }
}

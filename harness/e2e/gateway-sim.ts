// A simulated DeerFlow gateway: calls the agent the way RemoteSandboxBackend does (same payload
// keys, same X-API-Key header, same client timeouts), plus our `?wait=ready` extension because
// sandbox URLs are not reachable from the host on a kwok cluster.

export interface SandboxResponse {
  sandbox_id: string;
  sandbox_url: string;
  status: string;
  ready?: boolean;
  reason?: string;
}

export interface HttpResult<T> {
  status: number;
  body: T | undefined;
  text: string;
  ms: number;
}

export interface AcquireTiming {
  sandboxId: string;
  threadId: string;
  userId: string;
  toResponseMs: number;
  toReadyMs: number;
  status: number;
  ready: boolean;
  /** The sandbox_url the create answered with (undefined when it failed). */
  sandboxUrl?: string;
}

/** What the gateway does before it asks for a sandbox (DeerFlow makes the thread's directories). */
export type PrepareThread = (userId: string, threadId: string) => Promise<void>;

export class GatewaySimulator {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly prepareThread?: PrepareThread,
  ) {}

  async request<T>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<HttpResult<T>> {
    const started = performance.now();
    const headers: Record<string, string> = { 'X-API-Key': this.apiKey };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: T | undefined;
    try {
      parsed = text ? (JSON.parse(text) as T) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text, ms: performance.now() - started };
  }

  /** RemoteSandboxBackend.create's payload: always these keys, extra_mounts only when non-empty. */
  static createPayload(sandboxId: string, threadId: string, userId: string): Record<string, unknown> {
    return {
      sandbox_id: sandboxId,
      thread_id: threadId,
      user_id: userId,
      include_legacy_skills: false,
      provision_lark_cli_runtime: false,
      provision_lark_cli_broker: false,
    };
  }

  async create(sandboxId: string, threadId: string, userId: string): Promise<HttpResult<SandboxResponse>> {
    await this.prepareThread?.(userId, threadId);
    return this.request<SandboxResponse>('POST', '/api/sandboxes', GatewaySimulator.createPayload(sandboxId, threadId, userId), 30_000);
  }

  get(sandboxId: string, waitReadySeconds?: number): Promise<HttpResult<SandboxResponse>> {
    const query = waitReadySeconds ? `?wait=ready&timeout=${waitReadySeconds}` : '';
    return this.request<SandboxResponse>('GET', `/api/sandboxes/${encodeURIComponent(sandboxId)}${query}`, undefined, (waitReadySeconds ?? 10) * 1000 + 5000);
  }

  list(): Promise<HttpResult<{ sandboxes: SandboxResponse[]; count: number }>> {
    return this.request('GET', '/api/sandboxes', undefined, 10_000);
  }

  destroy(sandboxId: string): Promise<HttpResult<{ ok: boolean; sandbox_id: string }>> {
    return this.request('DELETE', `/api/sandboxes/${encodeURIComponent(sandboxId)}`, undefined, 15_000);
  }

  release(sandboxId: string): Promise<HttpResult<SandboxResponse>> {
    return this.request('POST', `/api/sandboxes/${encodeURIComponent(sandboxId)}/release`, undefined, 10_000);
  }

  /** One thread's acquire as the gateway does it: discover, create, then wait until Ready. */
  async acquire(sandboxId: string, threadId: string, userId: string, waitSeconds = 60): Promise<AcquireTiming> {
    const started = performance.now();
    const discovered = await this.get(sandboxId);
    if (discovered.status !== 404 && discovered.status !== 200) {
      throw new Error(`discover ${sandboxId}: HTTP ${discovered.status} ${discovered.text}`);
    }
    const created = await this.create(sandboxId, threadId, userId);
    const toResponseMs = performance.now() - started;
    if (created.status !== 200) {
      return { sandboxId, threadId, userId, toResponseMs, toReadyMs: Number.NaN, status: created.status, ready: false };
    }
    const ready = await this.get(sandboxId, waitSeconds);
    return {
      sandboxId,
      threadId,
      userId,
      toResponseMs,
      toReadyMs: performance.now() - started,
      status: created.status,
      ready: ready.status === 200 && ready.body?.ready === true,
      sandboxUrl: created.body?.sandbox_url,
    };
  }
}

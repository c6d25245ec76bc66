// A fake OpenAI-compatible LLM provider (the one fake on the model side: real providers are
// outside the machine). It answers `POST /v1/chat/completions` streamed (SSE, with a usage chunk)
// or not, and `GET /v1/models`. Replies are scripted by the conversation itself: a user message
// line `TOOL {"name": "...", "arguments": {...}}` makes the model call that tool (if offered),
// once; after the tool result the model answers in text. Faults for gateway tests: every request
// can be made to fail (HTTP 500), answer 429, or stall, for a number of requests or until reset.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export type Fault = { kind: 'none' } | { kind: 'fail' | 'rate-limit' | 'stall'; remaining: number };

interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown[];
}

interface ChatRequest {
  model?: string;
  messages?: ChatMessage[];
  tools?: { type: string; function?: { name?: string } }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface RecordedRequest {
  at: number;
  /** Who called: the peer address of the connection (behind a gateway, the gateway's). */
  remoteAddress: string;
  model: string;
  stream: boolean;
  tools: string[];
  lastUserText: string;
  outcome: 'text' | 'tool_call' | 'fail' | 'rate-limit' | 'stall';
  /** The token counts the answer reported (a stream reports them only when asked to, `stream_options.include_usage`). */
  usage?: Usage;
}

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part && typeof part === 'object' && 'text' in part ? String((part as { text: unknown }).text) : '')).join('');
  return '';
}

/** The tool call the conversation asks for, if it has not been made yet. */
export function scriptedToolCall(request: ChatRequest): { name: string; arguments: Record<string, unknown> } | undefined {
  const messages = request.messages ?? [];
  const lastUser = messages.map((m) => m.role).lastIndexOf('user');
  if (lastUser < 0) return undefined;
  if (messages.slice(lastUser + 1).some((m) => m.role === 'tool')) return undefined;
  const line = text(messages[lastUser]?.content).split('\n').find((l) => l.trim().startsWith('TOOL '));
  if (!line) return undefined;
  const call = JSON.parse(line.trim().slice('TOOL '.length)) as { name: string; arguments: Record<string, unknown> };
  const offered = new Set((request.tools ?? []).map((t) => t.function?.name));
  return offered.has(call.name) ? call : undefined;
}

export class FakeLlmProvider {
  readonly requests: RecordedRequest[] = [];
  private fault: Fault = { kind: 'none' };
  private readonly stalled = new Set<http.ServerResponse>();
  private server: http.Server | undefined;
  /** The base URL (`http://host:port/v1`) once started. */
  baseUrl = '';

  constructor(readonly name = 'fake-llm') {}

  /** Starts listening; resolves to the base URL (`http://host:port/v1`). */
  async start(host = '127.0.0.1', port = 0): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    this.baseUrl = `http://${host}:${(this.server.address() as AddressInfo).port}/v1`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `count` requests fail this way (Infinity: until `heal()`). */
  injectFault(kind: 'fail' | 'rate-limit' | 'stall', count = Number.POSITIVE_INFINITY): void {
    this.fault = { kind, remaining: count };
  }

  heal(): void {
    this.fault = { kind: 'none' };
    for (const res of this.stalled) res.destroy();
    this.stalled.clear();
  }

  private takeFault(): Fault['kind'] {
    if (this.fault.kind === 'none') return 'none';
    const kind = this.fault.kind;
    this.fault.remaining -= 1;
    if (this.fault.remaining <= 0) this.fault = { kind: 'none' };
    return kind;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      return this.json(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', owned_by: this.name }] });
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') return this.json(res, 404, { error: { message: `no route ${req.method} ${url.pathname}` } });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: ChatRequest;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
    } catch {
      return this.json(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
    }
    const record = (outcome: RecordedRequest['outcome'], usage?: Usage) =>
      this.requests.push({
        at: Date.now(),
        remoteAddress: req.socket.remoteAddress ?? '',
        model: body.model ?? '',
        stream: body.stream === true,
        tools: (body.tools ?? []).map((t) => t.function?.name ?? ''),
        lastUserText: text([...(body.messages ?? [])].reverse().find((m) => m.role === 'user')?.content),
        outcome,
        ...(usage ? { usage } : {}),
      });
    const fault = this.takeFault();
    if (fault === 'fail') {
      record('fail');
      return this.json(res, 500, { error: { message: `${this.name}: injected failure`, type: 'server_error' } });
    }
    if (fault === 'rate-limit') {
      record('rate-limit');
      res.setHeader('retry-after', '1');
      return this.json(res, 429, { error: { message: `${this.name}: rate limited (injected)`, type: 'rate_limit_error' } });
    }
    if (fault === 'stall') {
      record('stall');
      this.stalled.add(res);
      res.once('close', () => this.stalled.delete(res));
      return;
    }
    let call: ReturnType<typeof scriptedToolCall>;
    try {
      call = scriptedToolCall(body);
    } catch (error) {
      return this.json(res, 400, { error: { message: `TOOL line is not JSON: ${(error as Error).message}` } });
    }
    const usage: Usage = { prompt_tokens: 100, completion_tokens: call ? 20 : 10, total_tokens: call ? 120 : 110 };
    record(call ? 'tool_call' : 'text', !body.stream || body.stream_options?.include_usage ? usage : undefined);
    const id = `chatcmpl-${randomUUID()}`;
    const model = body.model ?? 'fake-model';
    const content = call ? '' : `Done. (${this.name} answered: ${text([...(body.messages ?? [])].reverse().find((m) => m.role === 'tool')?.content).slice(0, 200) || 'no tool was needed'})`;
    const toolCalls = call ? [{ index: 0, id: `call_${randomUUID().slice(0, 8)}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } }] : undefined;
    const finish = call ? 'tool_calls' : 'stop';
    if (!body.stream) {
      return this.json(res, 200, {
        id, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
        choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', content: call ? null : content, ...(toolCalls ? { tool_calls: toolCalls.map(({ index: _i, ...t }) => t) } : {}) } }],
        usage,
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      send({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [{ index: 0, delta, finish_reason: finishReason }] });
    chunk({ role: 'assistant', content: '' });
    if (toolCalls) chunk({ tool_calls: toolCalls });
    else for (const piece of content.match(/.{1,16}/gs) ?? []) chunk({ content: piece });
    chunk({}, finish);
    if (body.stream_options?.include_usage) send({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [], usage });
    res.end('data: [DONE]\n\n');
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  }
}

// A DeerFlow user as a browser would be one, over HTTP through the chart's nginx: a cookie jar
// (access_token, csrf_token), the Origin header a page on that host sends, and the double-submit
// CSRF header on every state-changing call. Only what a user does: no internal tokens.
import { jsonOrUndefined } from './context.js';

export interface DeerflowResponse<T = unknown> {
  status: number;
  text: string;
  json: T | undefined;
  headers: Headers;
}

export class DeerflowUser {
  private readonly cookies = new Map<string, string>();

  /** `origin` is the page's origin, e.g. `http://localhost:38123`. */
  constructor(readonly origin: string) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  private remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '' || value === '""';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request<T = unknown>(method: string, route: string, options: { json?: unknown; form?: Record<string, string>; body?: BodyInit; headers?: Record<string, string>; origin?: string | null } = {}): Promise<DeerflowResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const origin = options.origin === undefined ? this.origin : options.origin;
    if (origin !== null) headers.origin = origin;
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = this.cookies.get('csrf_token');
    if (csrf && !['GET', 'HEAD'].includes(method)) headers['x-csrf-token'] = csrf;
    let body: BodyInit | undefined = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(`${this.origin}${route}`, { method, headers, body, redirect: 'manual' });
    this.remember(response.headers);
    const text = await response.text();
    const json = jsonOrUndefined<T>(text);
    return { status: response.status, text, json, headers: response.headers };
  }

  /** Reads an SSE response to its end; the parsed events in order. */
  async stream(route: string, payload: unknown, timeoutMs: number): Promise<{ status: number; events: { event: string; data: unknown }[] }> {
    const headers: Record<string, string> = { origin: this.origin, 'content-type': 'application/json', accept: 'text/event-stream' };
    headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = this.cookies.get('csrf_token');
    if (csrf) headers['x-csrf-token'] = csrf;
    const response = await fetch(`${this.origin}${route}`, { method: 'POST', headers, body: JSON.stringify(payload), signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    const events: { event: string; data: unknown }[] = [];
    for (const block of text.split(/\r?\n\r?\n/)) {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0) continue;
      let parsed: unknown = data.join('\n');
      try {
        parsed = JSON.parse(parsed as string);
      } catch {
        // plain text data
      }
      events.push({ event, data: parsed });
    }
    return { status: response.status, events };
  }
}

/**
 * The release's first admin, shared by the suites of one run (they run in order in one release):
 * the first suite that signs in creates it and records its name in `createdBy`; a later one signs
 * in with the same credentials.
 */
export interface FirstAdmin {
  email: string;
  password: string;
  createdBy?: string;
}

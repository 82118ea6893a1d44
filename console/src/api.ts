/**
 * The console's only way to the server: the same `/api/v1` and bearer token as any client.
 * The token lives in sessionStorage (gone when the tab closes), never in a cookie, so the API
 * needs no new auth scheme and no CSRF defence.
 */

const TOKEN_KEY = 'weft.token';
export const API = '/api/v1';

/** An API refusal in RFC 9457 form, as the API sends it. */
export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  code?: string;
  issues?: { path: string; code?: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Takes a `?token=` from the address once, keeps it and removes it from the address bar and
 * the history, so it is not bookmarked or shared by copying the URL.
 */
export function adoptTokenFromUrl(): void {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (!token) return;
  setToken(token);
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

export interface Me {
  sub: string;
  roles: string[];
  exp?: number;
}

/** The token's claims, for display only: the server verifies the token on every call. */
export function claims(token: string): Me | null {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const c = JSON.parse(json) as { sub?: unknown; roles?: unknown; exp?: unknown };
    if (typeof c.sub !== 'string') return null;
    return { sub: c.sub, roles: Array.isArray(c.roles) ? c.roles.map(String) : [], exp: typeof c.exp === 'number' ? c.exp : undefined };
  } catch {
    return null;
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = getToken();
  return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

/** Calls the API; a non-2xx answer throws ApiError with the API's problem. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(API + path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const p = (parsed && typeof parsed === 'object' ? parsed : { detail: String(parsed ?? '') }) as Problem;
    if (res.status === 401) window.dispatchEvent(new CustomEvent('weft:unauthenticated'));
    throw new ApiError({ ...p, status: res.status });
  }
  return parsed as T;
}

export interface StreamEvent {
  id: string | undefined;
  event: string;
  data: unknown;
}

/**
 * Reads a Server-Sent Events stream with the bearer token. EventSource cannot send an
 * Authorization header, so this reads the stream with fetch instead: the token never goes into
 * a URL (where access logs would keep it). Reconnects after a drop with `Last-Event-ID`, until
 * the server ends the stream or `signal` aborts.
 */
export async function readEvents(path: string, onEvent: (e: StreamEvent) => void, signal: AbortSignal): Promise<void> {
  let lastId: string | undefined;
  while (!signal.aborted) {
    try {
      const res = await fetch(API + path, { headers: headers({ accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) }), signal });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return; // the server ended the stream: the execution's final event was sent
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const e = parseBlock(block);
          if (e) {
            if (e.id) lastId = e.id;
            onEvent(e);
          }
        }
      }
    } catch {
      if (signal.aborted) return;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

function parseBlock(block: string): StreamEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const at = line.indexOf(':');
    const field = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  let parsed: unknown = data.join('\n');
  try {
    parsed = JSON.parse(parsed as string);
  } catch {
    // plain text data
  }
  return { id, event, data: parsed };
}

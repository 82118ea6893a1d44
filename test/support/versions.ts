/** Helpers of the version lifecycle e2e tests: calls as a named user with a request id, and a small graph. */
import type { ApiResponse, TestWeft } from './harness';

let t: TestWeft;

/** The Weft the helpers below call. */
export function useWeft(weft: TestWeft): void {
  t = weft;
}

export type Json = Record<string, any>;

/** START → check (VALIDATION of the input) → prep → hold (WAIT) → END. */
export function graph(name: string, opts: { wait?: string; label?: string; schema?: Json; variables?: Json; assign?: Json } = {}): Json {
  return {
    name,
    variables: opts.variables ?? { label: { type: 'string', value: opts.label ?? 'one' } },
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'check', type: 'VALIDATION', properties: { schema: opts.schema ?? { type: 'object' } } },
      { id: 'prep', type: 'DATA_TRANSFORMATION', properties: { assign: opts.assign ?? { doubled: '(input.n ? input.n : 1) * 2' } } },
      { id: 'hold', type: 'WAIT', properties: { duration: opts.wait ?? '10ms' } },
      { id: 'end', type: 'END', properties: { output: { label: 'vars.label' } } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'check' },
      { id: 'e2', source: 'check', target: 'prep' },
      { id: 'e3', source: 'prep', target: 'hold' },
      { id: 'e4', source: 'hold', target: 'end' },
    ],
  };
}

let requests = 0;
/** A call as `sub` with its own X-Request-Id, so the audit record it wrote can be found. */
export async function call(
  method: string,
  path: string,
  body?: unknown,
  sub = 'lena',
  roles = ['technical_lead'],
): Promise<ApiResponse & { requestId: string }> {
  const requestId = `vl-${++requests}-${Date.now()}`;
  const res = await t.api(method, path, body, { token: t.token(roles, sub), headers: { 'x-request-id': requestId } });
  return { ...res, requestId };
}

export async function auditOf(requestId: string): Promise<Json[]> {
  const res = await t.api('GET', `/api/v1/audit?requestId=${requestId}`, undefined, { token: t.token(['auditor'], 'audrey') });
  return res.body.items;
}

export function expectProblem(res: ApiResponse, status: number, code: string): void {
  if (res.status !== status || res.body?.code !== code) throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
}

export async function createWorkflow(g: Json): Promise<string> {
  const res = await call('POST', '/api/v1/workflows', g);
  expect(res.status).toBe(201);
  return res.body.id;
}

export const move = (id: string, v: string, verb: string, reason?: string) =>
  call('POST', `/api/v1/workflows/${id}/versions/${v}/${verb}`, reason ? { reason } : {});
export const start = (id: string, version?: string) =>
  call('POST', `/api/v1/workflows/${id}/instances`, { input: { n: 2 }, ...(version ? { version } : {}) }, 'otto', ['operator']);

export async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

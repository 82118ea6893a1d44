/** Helpers of the rollout analysis, health check and recovery e2e tests: sites, two versions, executions at sites. */
import type { TestWeft } from './harness';
import { waitForInstance } from './harness';

export type Json = Record<string, any>;

/** Calls the API as admin and insists on `status`. */
export async function ok(t: TestWeft, method: string, path: string, body?: unknown, status = 200): Promise<any> {
  const res = await t.api(method, `/api/v1${path}`, body);
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** START → work → END; `failUrl` makes `work` an API_CALL there with one attempt, `waitMs` a WAIT first. */
export function versionGraph(name: string, opts: { failUrl?: string; waitMs?: number } = {}): Json {
  const work = opts.failUrl
    ? { id: 'work', type: 'API_CALL', properties: { url: opts.failUrl, retry: { maxAttempts: 1 } } }
    : { id: 'work', type: 'DATA_TRANSFORMATION', properties: { assign: { done: 'true' } } };
  const nodes: Json[] = [{ id: 'start', type: 'START' }, work, { id: 'end', type: 'END', properties: { output: { ok: 'true' } } }];
  const edges: Json[] = [
    { source: 'start', target: 'work' },
    { source: 'work', target: 'end' },
  ];
  if (opts.waitMs) {
    nodes.push({ id: 'pause', type: 'WAIT', properties: { duration: `${opts.waitMs}ms` } });
    edges[0] = { source: 'start', target: 'pause' };
    edges.push({ source: 'pause', target: 'work' });
  }
  return { name, nodes, edges };
}

/** A definition with 1.0.0 (`base`) published, then 1.1.0 (`next`) published and active; its id. */
export async function twoVersions(t: TestWeft, base: Json, next: Json): Promise<string> {
  const created = await ok(t, 'POST', '/workflows', base, 201);
  await ok(t, 'POST', `/workflows/${created.id}/publish`, {});
  await ok(t, 'PUT', `/workflows/${created.id}`, { ...next, version: '1.1.0' });
  await ok(t, 'POST', `/workflows/${created.id}/publish`, { version: '1.1.0' });
  return created.id as string;
}

export async function createSites(t: TestWeft, ids: string[]): Promise<void> {
  for (const id of ids) await ok(t, 'POST', '/sites', { id, name: id, region: 'eu-west', environment: 'staging' }, 201);
}

/** Starts `count` executions of `version` spread over `sites` and waits for all of them to finish; their final rows. */
export async function runAtSites(t: TestWeft, definitionId: string, version: string, sites: string[], count: number): Promise<any[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const started = await ok(t, 'POST', `/workflows/${definitionId}/instances`, { input: {}, version, site: sites[i % sites.length] }, 202);
    ids.push(started.id);
  }
  return Promise.all(ids.map((id) => waitForInstance(t, id)));
}

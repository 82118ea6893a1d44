/** Helpers of the rollout e2e tests: sites, a workflow with two versions, rollouts and their states. */
import type { ApiResponse, TestWeft } from './harness';

export type Json = Record<string, any>;

export function rolloutHelpers(get: () => TestWeft) {
  const t = () => get();

  async function ok(method: string, path: string, body?: unknown, status = 200, token?: string): Promise<any> {
    const res = await t().api(method, `/api/v1${path}`, body, token ? { token } : {});
    if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** START → END returning `{ label }`, the label differing per version. */
  const labelled = (name: string, label: string) => {
    const all = [
      { id: 'start', type: 'START' },
      { id: 'end', type: 'END', properties: { output: { label: 'vars.label' } } },
    ];
    return {
      name,
      variables: { label: { type: 'string', value: label } },
      nodes: all,
      edges: all.slice(1).map((n, i) => ({ source: all[i]!.id, target: n.id })),
    };
  };

  /** A workflow whose 1.0.0 is active and 2.0.0 published (not active): what a rollout moves sites onto. */
  async function twoVersions(name: string, v2: Json = labelled(name, 'two')): Promise<string> {
    const created = await ok('POST', '/workflows', labelled(name, 'one'), 201);
    await ok('POST', `/workflows/${created.id}/publish`, {});
    await ok('POST', `/workflows/${created.id}/versions`, { graph: v2, version: '2.0.0' }, 201);
    await ok('POST', `/workflows/${created.id}/versions/2.0.0/publish`, {});
    return created.id;
  }

  async function createSites(sites: Array<{ id: string; region: string; environment?: string; timeZone?: string }>): Promise<void> {
    for (const s of sites) {
      await ok(
        'POST',
        '/sites',
        { id: s.id, name: s.id, region: s.region, environment: s.environment ?? 'production', ...(s.timeZone ? { timeZone: s.timeZone } : {}) },
        201,
      );
    }
  }

  /** The version a start at `site` runs (no version named). */
  async function versionAt(workflowId: string, site: string): Promise<string> {
    const started = await ok('POST', `/workflows/${workflowId}/instances`, { input: {}, site }, 202);
    return (await ok('GET', `/workflow-instances/${started.id}`)).version;
  }

  async function versionsAt(workflowId: string, sites: string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const s of sites) out[s] = await versionAt(workflowId, s);
    return out;
  }

  function createRollout(body: Json, token?: string): Promise<ApiResponse> {
    return t().api('POST', '/api/v1/rollouts', body, token ? { token } : {});
  }

  /** A staged rollout of the workflow's 2.0.0 over `stages` (created, not started): its id. */
  async function stagedRollout(workflowId: string, stages: Json[]): Promise<string> {
    const created = await createRollout({ workflowId, version: '2.0.0', strategy: 'staged', config: { stages } });
    if (created.status !== 201) throw new Error(`rollout: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.id as string;
  }

  function act(id: string, action: string, reason?: string, token?: string): Promise<ApiResponse> {
    return t().api('POST', `/api/v1/rollouts/${id}/${action}`, reason === undefined ? {} : { reason }, token ? { token } : {});
  }

  /** Polls `GET /rollouts/{id}` until `done` holds. */
  async function waitFor(id: string, done: (r: Json) => boolean, timeoutMs = 30_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await ok('GET', `/rollouts/${id}`);
      if (done(r)) return r;
      if (Date.now() > deadline)
        throw new Error(`rollout ${id} still ${JSON.stringify({ status: r.status, waitingFor: r.waitingFor, deployments: r.deployments })}`);
      await new Promise((res) => setTimeout(res, 150));
    }
  }

  const ended = (r: Json) => ['completed', 'failed', 'rolled_back'].includes(r.status);

  /** The rollout's audit records, oldest first. */
  async function auditEntries(id: string): Promise<Json[]> {
    const res = await ok('GET', `/audit?resourceType=rollout&resourceId=${id}&limit=200`);
    return (res.items as Json[]).reverse();
  }

  async function audit(id: string): Promise<string[]> {
    return (await auditEntries(id)).map((e) => e.action);
  }

  return { ok, twoVersions, createSites, versionAt, versionsAt, createRollout, stagedRollout, act, waitFor, ended, audit, auditEntries, labelled };
}

// The rollout and rollback workflows' recorded histories for the replay tests (see
// record-histories.ts): a staged rollout over two sites with a bake delay, paused and resumed
// during the delay; then a rollback plan that takes both sites back, executed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { signToken } from '../src/auth/tokens';
import type { RunningWeft } from '../src/runtime';
import { callApi, type TestWeft } from '../test/support/harness';
import { rolloutHelpers } from '../test/support/rollouts';
import { historyToPlain, WORKFLOW_ID_KEY } from '../test/histories/history-json';

export const ROLLOUT_HISTORY = 'rollout-staged';
export const ROLLBACK_HISTORY = 'rollback-plan';

function save(out: string, name: string, workflowId: string, history: unknown, events: number | undefined): void {
  writeFileSync(join(out, `${name}.json`), JSON.stringify({ [WORKFLOW_ID_KEY]: workflowId, ...(historyToPlain(history as never) as object) }, null, 1));
  console.log(`recorded ${name}.json (${events} events)`);
}

export async function recordRolloutHistory(weft: RunningWeft, client: Client, out: string): Promise<void> {
  const token = signToken(weft.jwtSecret, { sub: 'recorder', roles: ['admin'] });
  const api = { api: (method: string, path: string, body?: unknown) => callApi(weft.apiUrl as string, token, method, path, body) } as unknown as TestWeft;
  const h = rolloutHelpers(() => api);
  await h.createSites([
    { id: 'rec-1', region: 'eu' },
    { id: 'rec-2', region: 'us' },
  ]);
  const workflowId = await h.twoVersions(ROLLOUT_HISTORY);
  const created = await h.createRollout({
    workflowId,
    version: '2.0.0',
    strategy: 'staged',
    targetSites: ['rec-1', 'rec-2'],
    config: {
      stages: [
        { stageNumber: 1, sitesOrRegions: ['rec-1'], delay: '2s' },
        { stageNumber: 2, sitesOrRegions: ['rec-2'] },
      ],
    },
  });
  if (created.status !== 201) throw new Error(`rollout: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  await h.act(id, 'start');
  await h.waitFor(id, (r) => r.waitingFor === 'delay');
  await h.act(id, 'pause', 'recording');
  await h.act(id, 'resume');
  const done = await h.waitFor(id, h.ended);
  if (done.status !== 'completed') throw new Error(`rollout ended ${done.status}`);
  const history = await client.workflow.getHandle(id).fetchHistory();
  save(out, ROLLOUT_HISTORY, id, history, history.events?.length);

  const points = (await h.ok('GET', `/rollouts/${id}/recovery-points`)) as { items: Array<{ id: string; kind: string }> };
  const point = points.items.find((p) => p.kind === 'pre_deployment');
  if (!point) throw new Error('no pre_deployment recovery point');
  const plan = await h.ok(
    'POST',
    '/rollback-plans',
    { rolloutId: id, recoveryPointId: point.id, reason: 'recording', targetVersion: '1.0.0', affectedSites: ['rec-1', 'rec-2'] },
    201,
  );
  const execution = (await h.ok('POST', `/rollback-plans/${plan.id}/execute`, {}, 202)).id as string;
  for (let row = await h.ok('GET', `/rollback-executions/${execution}`); ['pending', 'in_progress'].includes(row.status);) {
    await new Promise((r) => setTimeout(r, 200));
    row = await h.ok('GET', `/rollback-executions/${execution}`);
  }
  const rollback = await client.workflow.getHandle(execution).fetchHistory();
  save(out, ROLLBACK_HISTORY, execution, rollback, rollback.events?.length);
}

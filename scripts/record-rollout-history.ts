// The rollout workflow's recorded history for the replay tests (see record-histories.ts): a
// staged rollout over two sites with a bake delay, paused and resumed during the delay.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { signToken } from '../src/auth/tokens';
import type { RunningWeft } from '../src/runtime';
import { callApi, type TestWeft } from '../test/support/harness';
import { rolloutHelpers } from '../test/support/rollouts';
import { historyToPlain, WORKFLOW_ID_KEY } from '../test/histories/history-json';

export const ROLLOUT_HISTORY = 'rollout-staged';

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
  writeFileSync(join(out, `${ROLLOUT_HISTORY}.json`), JSON.stringify({ [WORKFLOW_ID_KEY]: id, ...(historyToPlain(history) as object) }, null, 1));
  console.log(`recorded ${ROLLOUT_HISTORY}.json (${history.events?.length} events)`);
}

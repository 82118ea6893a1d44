// The what-if workflow's recorded history for the replay tests (see record-histories.ts): 30
// executions recorded from version 1 (an API_CALL, an IF, a WAIT), then a what-if of version 2
// (another threshold, one more API_CALL answered by a stub) over them: two batches.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { signToken } from '../src/auth/tokens';
import type { RunningWeft } from '../src/runtime';
import { callApi } from '../test/support/harness';
import { historyToPlain, WORKFLOW_ID_KEY } from '../test/histories/history-json';

export const WHAT_IF_HISTORY = 'what-if';

function graph(svcUrl: string, threshold: number, extra: boolean) {
  return {
    name: WHAT_IF_HISTORY,
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'fetch', type: 'API_CALL', properties: { url: `${svcUrl}/echo/{{input.n}}` } },
      ...(extra ? [{ id: 'extra', type: 'API_CALL', properties: { method: 'POST', url: `${svcUrl}/extra`, body: { n: '${input.n}' } } }] : []),
      { id: 'check', type: 'IF_THEN_ELSE', properties: { condition: `input.n >= ${threshold}` } },
      { id: 'pause', type: 'WAIT', properties: { duration: '10ms' } },
      { id: 'hi', type: 'END', properties: { output: { size: '"big"', path: 'nodes.fetch.output.body.path' } } },
      { id: 'lo', type: 'END', properties: { output: { size: '"small"' } } },
    ],
    edges: [
      { source: 'start', target: 'fetch' },
      ...(extra
        ? [
            { source: 'fetch', target: 'extra' },
            { source: 'extra', target: 'check' },
          ]
        : [{ source: 'fetch', target: 'check' }]),
      { source: 'check', sourcePort: 'true', target: 'pause' },
      { source: 'pause', target: 'hi' },
      { source: 'check', sourcePort: 'false', target: 'lo' },
    ],
  };
}

export async function recordWhatIfHistory(weft: RunningWeft, client: Client, out: string, svcUrl: string): Promise<void> {
  const token = signToken(weft.jwtSecret, { sub: 'recorder', roles: ['admin'] });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await callApi(weft.apiUrl as string, token, method, `/api/v1${path}`, body);
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const until = async (probe: () => Promise<boolean>) => {
    for (const end = Date.now() + 120_000; !(await probe()); await new Promise((r) => setTimeout(r, 200))) {
      if (Date.now() > end) throw new Error('the what-if recording timed out');
    }
  };
  const created = await api('POST', '/workflows', graph(svcUrl, 10, false));
  await api('POST', `/workflows/${created.id}/publish`, {});
  const ids: string[] = [];
  for (let n = 0; n < 30; n++) ids.push((await api('POST', `/workflows/${created.id}/instances`, { input: { n } })).id);
  for (const id of ids) await until(async () => (await api('GET', `/workflow-instances/${id}`)).status === 'completed');
  await api('PUT', `/workflows/${created.id}`, { ...graph(svcUrl, 15, true), version: '2.0.0' });
  const started = await api('POST', `/workflows/${created.id}/versions/2.0.0/what-if`, { sample: { limit: 30 }, stubs: { extra: { status: 200, body: {} } } });
  await until(async () => (await api('GET', `/what-if/${started.id}`)).status !== 'running');
  const history = await client.workflow.getHandle(started.id).fetchHistory();
  writeFileSync(join(out, `${WHAT_IF_HISTORY}.json`), JSON.stringify({ [WORKFLOW_ID_KEY]: started.id, ...(historyToPlain(history) as object) }, null, 1));
  console.log(`recorded ${WHAT_IF_HISTORY}.json (${history.events?.length} events)`);
}

// Records workflow histories for the replay tests into test/histories/ (see test/histories/graphs.ts):
// those not recorded yet, or the ones named (`npm run histories:record -- <name>`).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadSettings } from '../src/config/settings';
import { createLogger } from '../src/logger';
import { startWeft } from '../src/runtime';
import { startDevServer } from '../src/temporal/dev-server';
import { echoPath, json, startFakeService } from '../test/support/fake-service';
import { recordedGraphs } from '../test/histories/graphs';
import { historyToPlain, WORKFLOW_ID_KEY } from '../test/histories/history-json';
import { tamperActivityType, type HistoryJson } from '../test/histories/tamper';
import { DefinitionService } from '../src/services/definitions';
import { ExecutionService } from '../src/services/executions';
import { DirectoryService } from '../src/domain/directory';
import { recordRolloutHistory, ROLLBACK_HISTORY, ROLLOUT_HISTORY } from './record-rollout-history';
import { recordWhatIfHistory, WHAT_IF_HISTORY } from './record-what-if-history';
import { ApprovalService } from '../src/services/approvals';
import { VersionLifecycleService } from '../src/services/version-lifecycle';

const OUT = join(__dirname, '..', 'test', 'histories');

async function main() {
  const svc = await startFakeService();
  svc.handle((req, res) => {
    if (req.url === '/missing') json(res, 500, { error: 'down' });
    else if (req.url.startsWith('/echo/')) echoPath(req, res);
    else json(res, 200, { ok: true });
  });
  const server = await startDevServer();
  const settings = loadSettings({
    TEMPORAL_ADDRESS: server.address,
    WEFT_DATA_DIR: mkdtempSync(join(tmpdir(), 'weft-rec-')),
    PORT: '0',
    WEFT_HTTP_ALLOWED_HOSTS: svc.host,
    LOG_LEVEL: 'silent',
  });
  const weft = await startWeft(settings, { api: true, worker: true, log: createLogger('silent') });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const definitions = new DefinitionService(weft.database.db);
  const executions = new ExecutionService(weft.database.db, client, settings.taskQueue, definitions);
  const directory = new DirectoryService(weft.database.db);
  const versions = new VersionLifecycleService(weft.database.db, definitions, new ApprovalService(weft.database.db, client, settings.taskQueue, directory));
  const RECORDER = { actor: 'recorder' };
  await directory.createUser({ id: 'boss', name: 'Boss', roles: ['approver'] }, RECORDER);
  const only = process.argv.slice(2);
  try {
    for (const [name, { graph, input, drive }] of Object.entries(recordedGraphs(svc.url))) {
      // Recorded histories are the past new code must replay: never overwritten unless named.
      if (only.length ? !only.includes(name) : existsSync(join(OUT, `${name}.json`))) continue;
      const def = await definitions.create(graph, {}, RECORDER);
      await versions.publishAndActivate(def.id, undefined, RECORDER);
      const { id } = await executions.start(def.id, { input }, undefined, RECORDER);
      await drive?.({ client, executionId: id });
      await client.workflow
        .getHandle(id)
        .result()
        .catch(() => undefined);
      const runs = await runHistories(client, id);
      runs.forEach((history, i) => {
        const file = i === runs.length - 1 ? `${name}.json` : `${name}.run-${i + 1}.json`;
        const json = historyToPlain(history) as HistoryJson;
        writeFileSync(join(OUT, file), JSON.stringify({ [WORKFLOW_ID_KEY]: id, ...json }, null, 1));
        if (name === 'core-nodes') {
          const tampered = tamperActivityType(json, 'apiCall', 'chargeCard');
          writeFileSync(join(OUT, 'tampered', `${name}.activity-type.json`), JSON.stringify(tampered, null, 1));
        }
        console.log(`recorded ${file} (${history.events?.length} events)`);
      });
      const children = runs.flatMap((h) => (h.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []));
      for (const [i, childId] of children.entries()) {
        const history = await client.workflow.getHandle(childId).fetchHistory();
        const json = { [WORKFLOW_ID_KEY]: childId, ...(historyToPlain(history) as HistoryJson) };
        writeFileSync(join(OUT, `${name}.child-${i + 1}.json`), JSON.stringify(json, null, 1));
        console.log(`recorded ${name}.child-${i + 1}.json (${history.events?.length} events)`);
      }
    }
    // The rollback history is recorded after the rollout it takes back: naming either records both.
    const rolloutNames = [ROLLOUT_HISTORY, ROLLBACK_HISTORY];
    if (only.length ? rolloutNames.some((n) => only.includes(n)) : rolloutNames.some((n) => !existsSync(join(OUT, `${n}.json`)))) {
      await recordRolloutHistory(weft, client, OUT);
    }
    if (only.length ? only.includes(WHAT_IF_HISTORY) : !existsSync(join(OUT, `${WHAT_IF_HISTORY}.json`))) await recordWhatIfHistory(weft, client, OUT, svc.url);
  } finally {
    await connection.close();
    await weft.stop();
    await server.stop();
    await svc.close();
  }
}
/** Every run of an execution, oldest first: each continued run names the one before it. */
async function runHistories(client: Client, id: string) {
  const runs = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(id, runId).fetchHistory();
    runs.unshift(history);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    if (!runId) return runs;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

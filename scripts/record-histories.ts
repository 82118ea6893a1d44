// Records workflow histories for the replay tests into test/histories/ (see test/histories/graphs.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadSettings } from '../src/config/settings';
import { createLogger } from '../src/logger';
import { startWeft } from '../src/runtime';
import { startDevServer } from '../src/temporal/dev-server';
import { json, startFakeService } from '../test/support/fake-service';
import { recordedGraphs } from '../test/histories/graphs';
import { historyToPlain } from '../test/histories/history-json';
import { tamperActivityType, type HistoryJson } from '../test/histories/tamper';
import { DefinitionService } from '../src/services/definitions';
import { ExecutionService } from '../src/services/executions';

const OUT = join(__dirname, '..', 'test', 'histories');

async function main() {
  const svc = await startFakeService();
  svc.handle((req, res) => (req.url === '/missing' ? json(res, 500, { error: 'down' }) : json(res, 200, { ok: true })));
  const server = await startDevServer();
  const settings = loadSettings({
    TEMPORAL_ADDRESS: server.address,
    WEFT_DATA_DIR: mkdtempSync(join(tmpdir(), 'weft-rec-')),
    PORT: '0',
    WEFT_HTTP_ALLOWED_HOSTS: svc.host,
    LOG_LEVEL: 'silent',
  });
  const weft = await startWeft(settings, { api: false, worker: true, log: createLogger('silent') });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const definitions = new DefinitionService(weft.database.db);
  const executions = new ExecutionService(weft.database.db, client, settings.taskQueue, definitions);
  try {
    for (const [name, { graph, input }] of Object.entries(recordedGraphs(svc.url))) {
      const def = await definitions.create(graph, {}, 'recorder');
      await definitions.publish(def.id, undefined, 'recorder');
      const { id } = await executions.start(def.id, { input }, undefined, 'recorder');
      const handle = client.workflow.getHandle(id);
      await handle.result().catch(() => undefined);
      const history = await handle.fetchHistory();
      const json = historyToPlain(history) as HistoryJson;
      writeFileSync(join(OUT, `${name}.json`), JSON.stringify(json, null, 1));
      if (name === 'core-nodes') {
        const tampered = tamperActivityType(json, 'apiCall', 'chargeCard');
        writeFileSync(join(OUT, 'tampered', `${name}.activity-type.json`), JSON.stringify(tampered, null, 1));
      }
      console.log(`recorded ${name} (${history.events?.length} events)`);
    }
  } finally {
    await connection.close();
    await weft.stop();
    await server.stop();
    await svc.close();
  }
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * The set-up the in-process benchmarks share: a loopback service answering `{ ok: true }`, the
 * Temporal dev server, an in-memory PGlite, and a worker (bench/workflows.ts and the real
 * activities) with a client on a task queue of their own.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import { eventPublisher } from '../src/temporal/worker';
import { openDatabase } from '../src/db/client';
import { startDevServer } from '../src/temporal/dev-server';
import { json, startFakeService, type FakeService } from '../test/support/fake-service';

/** What a benchmark runs against; `close` stops it all. */
export interface BenchWorld {
  svc: FakeService;
  client: Client;
  taskQueue: string;
  /** Not yet running: the benchmark wraps its work in `worker.runUntil`. */
  worker: Worker;
  close(): Promise<void>;
}

export async function startBenchWorld(): Promise<BenchWorld> {
  const svc = await startFakeService();
  svc.handle((_req, res) => json(res, 200, { ok: true }));
  const server = await startDevServer();
  const database = await openDatabase({ inMemory: true });
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities: createActivities({ db: database.db, httpAllowedHosts: [svc.host], secretsKey: randomBytes(32), publishEvent: eventPublisher(database.db) }),
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  return {
    svc,
    client,
    taskQueue,
    worker,
    close: async () => {
      await connection.close();
      await nativeConnection.close();
      await database.close();
      await server.stop();
      await svc.close();
    },
  };
}

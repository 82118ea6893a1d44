import { join } from 'node:path';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createApp } from './api/app';
import { EventHub } from './services/event-hub';
import { resolveJwtSecret } from './auth/secret';
import { resolveSecretsKey } from './auth/secrets-key';
import { StartupError, type Settings } from './config/settings';
import { openDatabase, type Database } from './db/client';
import { installationId } from './db/repositories/installation';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { installationClientInterceptor, installationScheduleInterceptor } from './temporal/installation';
import { ensureSearchAttributes } from './temporal/search-attributes';
import { installTemporalLogging } from './temporal/runtime-logging';
import { createWeftWorker } from './temporal/worker';
import { activeTracing } from './telemetry/tracing';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';

export interface RunningWeft {
  apiUrl: string | undefined;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  database: Database;
  jwtSecret: string;
  /** The id of the installation the database belongs to. */
  installationId: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  api: boolean;
  worker: boolean;
  log: Logger;
}

/**
 * Starts the parts of Weft a process runs. Without TEMPORAL_ADDRESS an embedded dev server
 * (Web UI on) keeps its state in the data folder, so a restart keeps executions.
 */
export async function startWeft(settings: Settings, opts: StartOptions): Promise<RunningWeft> {
  const { log } = opts;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((err: Error) => log.error({ err }, 'stop failed'));
  };
  // Before anything creates the SDK runtime (the dev server does).
  installTemporalLogging(log, opts.worker ? settings.workerMetricsAddress : undefined);
  // Started by the entry point (telemetry/register.ts) when OTEL_EXPORTER_OTLP_ENDPOINT is set.
  const tracing = activeTracing();
  if (tracing) stops.push(() => tracing.flush());
  try {
    let devServer: DevServer | undefined;
    let temporalAddress = settings.temporalAddress;
    if (!temporalAddress) {
      devServer = await startDevServer({
        dbFile: join(settings.dataDir, 'temporal.db'),
        port: settings.temporalDevPort,
        ui: true,
        namespace: settings.temporalNamespace,
        log: (m) => log.info(m),
      });
      stops.push(() => devServer!.stop());
      temporalAddress = devServer.address;
    }

    const database = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir, log: (m) => log.info(m) });
    stops.push(() => database.close());
    const jwtSecret = resolveJwtSecret(settings);
    const secretsKey = resolveSecretsKey(settings);
    const installation = await installationId(database.db);

    // Both roles need the search attributes: the API starts executions with them, workflows upsert them.
    const clientConnection = await Connection.connect({ address: temporalAddress });
    stops.push(() => clientConnection.close());
    const registered = await ensureSearchAttributes(clientConnection, settings.temporalNamespace, temporalAddress);
    if (registered.length > 0) log.info({ registered, namespace: settings.temporalNamespace }, 'registered search attributes');

    let worker: Worker | undefined;
    if (opts.worker) {
      const connection = await NativeConnection.connect({ address: temporalAddress });
      stops.push(() => connection.close());
      worker = await createWeftWorker({
        connection,
        namespace: settings.temporalNamespace,
        taskQueue: settings.taskQueue,
        db: database.db,
        httpAllowedHosts: settings.httpAllowedHosts,
        smtpUrl: settings.smtpUrl,
        mailFrom: settings.mailFrom,
        secretsKey,
        installationId: installation,
        maxCachedWorkflows: settings.maxCachedWorkflows,
        tuning: settings.workerTuning,
        workflowStackTraces: settings.workflowStackTraces,
        workflowBundle: settings.workflowBundlePath ? { codePath: settings.workflowBundlePath } : undefined,
        tracing,
      });
      const running = worker.run();
      running.catch((err: Error) => log.fatal({ err }, 'worker stopped'));
      stops.push(async () => {
        // Only a running worker can be asked to stop; either way its connection must wait for it.
        if (worker!.getState() === 'RUNNING') worker!.shutdown();
        await running.catch(() => undefined);
      });
    }

    let apiUrl: string | undefined;
    if (opts.api) {
      const temporal = new Client({
        connection: clientConnection,
        namespace: settings.temporalNamespace,
        interceptors: {
          // With tracing, a start carries the request's trace context to the workflow (tracing-interceptors.ts).
          workflow: [installationClientInterceptor(installation), ...(tracing ? [new OpenTelemetryWorkflowClientInterceptor()] : [])],
          schedule: [installationScheduleInterceptor(installation)],
        },
      });
      const events = new EventHub(database, { onError: (err) => log.warn({ err }, 'live execution events: reading failed, retrying') });
      const app = createApp({
        database,
        temporal,
        taskQueue: settings.taskQueue,
        jwtSecret,
        log,
        secretsKey,
        httpAllowedHosts: settings.httpAllowedHosts,
        rolloutHistoryLimit: settings.rolloutHistoryLimit,
        rateLimits: settings.rateLimits,
        events,
      });
      const server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(settings.port, () => resolve(s));
        s.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'EADDRINUSE' ? new StartupError(`Weft cannot serve its API: port ${settings.port} is already in use; set PORT to a free one`) : err,
          ),
        );
      });
      // Open event streams never end by themselves: the hub ends them before the server closes.
      stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      stops.push(() => events.close());
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : settings.port;
      apiUrl = `http://localhost:${port}`;
    }

    return { apiUrl, temporalAddress, temporalUiUrl: devServer?.uiUrl, database, jwtSecret, installationId: installation, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

import { DefaultLogger, IllegalStateError, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;

/** The Temporal level at and above which the SDK's TypeScript side logs, for a pino level. */
export function temporalLogLevel(pinoLevel: string): LogLevel {
  switch (pinoLevel) {
    case 'trace':
      return 'TRACE';
    case 'debug':
      return 'DEBUG';
    case 'info':
      return 'INFO';
    case 'warn':
      return 'WARN';
    default: // error, fatal, silent
      return 'ERROR';
  }
}

/**
 * Temporal core (the Rust side) at DEBUG and TRACE logs every poll and every gRPC call: it follows
 * LOG_LEVEL down to INFO only.
 */
function coreLogLevel(level: LogLevel): LogLevel {
  return level === 'DEBUG' || level === 'TRACE' ? 'INFO' : level;
}

/**
 * The SDK's metadata in Weft's names: activity lines say `workflowRunId` where workflow lines say
 * `runId`; both become `runId`, so one query finds every line of a run.
 */
export function weftLogFields(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!meta) return {};
  const { workflowRunId, ...rest } = meta;
  return workflowRunId !== undefined && rest.runId === undefined ? { ...rest, runId: workflowRunId } : rest;
}

/**
 * Sends the Temporal SDK's own logs through pino at pino's level (LOG_LEVEL): the worker's state,
 * the bundler, workflow `log` lines (with workflowId and runId), activities' `Context.current().log`
 * and the SDK's "Activity started/completed" lines at DEBUG (with workflowId, runId, activity and,
 * for a node's activity, nodeId: see node-log-interceptor.ts), and core's own lines.
 * With `metricsAddress` the runtime also serves the SDK's own metrics (workflow and activity
 * task latencies, polls, cache, sticky queues) as Prometheus text there, at `/metrics`.
 * The SDK allows one runtime per process, so only a call before any runtime exists takes effect.
 */
export function installTemporalLogging(log: Logger, metricsAddress?: string): void {
  if (installed) return;
  installed = true;
  const level = temporalLogLevel(log.level);
  const forward = (entry: LogEntry) => {
    const fields = weftLogFields(entry.meta);
    switch (entry.level) {
      case 'TRACE':
        return log.trace(fields, entry.message);
      case 'DEBUG':
        return log.debug(fields, entry.message);
      case 'INFO':
        // webpack's build report (a worker bundling at start) is the one multi-line INFO message: not news.
        return entry.message.includes('\n') ? log.debug(fields, entry.message) : log.info(fields, entry.message);
      case 'WARN':
        return log.warn(fields, entry.message);
      default:
        return log.error(fields, entry.message);
    }
  };
  try {
    // No shutdownSignals: Weft's entry points stop the worker, its connection and the dev server
    // themselves, once and in order; the SDK's own handler would start a second, racing shutdown.
    Runtime.install({
      logger: new DefaultLogger(level, forward),
      shutdownSignals: [],
      telemetryOptions: {
        logging: { filter: { core: coreLogLevel(level), other: 'ERROR' }, forward: {} },
        ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
      },
    });
    if (metricsAddress) log.info({ address: metricsAddress }, 'worker metrics served at /metrics');
  } catch (err) {
    // A runtime made earlier in this process (e.g. by a dev server a script started first) keeps its logger.
    if (!(err instanceof IllegalStateError)) throw err;
  }
}

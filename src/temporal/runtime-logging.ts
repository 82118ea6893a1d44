import { DefaultLogger, IllegalStateError, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;

/**
 * Sends the Temporal SDK's own logs (worker state, bundler, workflow `log`) through pino at
 * warn and above, so the worker does not print webpack's build report on every start.
 * With `metricsAddress` the runtime also serves the SDK's own metrics (workflow and activity
 * task latencies, polls, cache, sticky queues) as Prometheus text there, at `/metrics`.
 * The SDK allows one runtime per process, so only a call before any runtime exists takes effect.
 */
export function installTemporalLogging(log: Logger, metricsAddress?: string): void {
  if (installed) return;
  installed = true;
  const forward = (entry: LogEntry) => {
    const meta = entry.meta ?? {};
    if (entry.level === 'ERROR') log.error(meta, entry.message);
    else log.warn(meta, entry.message);
  };
  try {
    // No shutdownSignals: Weft's entry points stop the worker, its connection and the dev server
    // themselves, once and in order; the SDK's own handler would start a second, racing shutdown.
    Runtime.install({
      logger: new DefaultLogger('WARN', forward),
      shutdownSignals: [],
      ...(metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } } : {}),
    });
    if (metricsAddress) log.info({ address: metricsAddress }, 'worker metrics served at /metrics');
  } catch (err) {
    // A runtime made earlier in this process (e.g. by a dev server a script started first) keeps its logger.
    if (!(err instanceof IllegalStateError)) throw err;
  }
}

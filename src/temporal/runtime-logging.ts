import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;

/**
 * Sends the Temporal SDK's own logs (worker state, bundler, workflow `log`) through pino at
 * warn and above, so the worker does not print webpack's build report on every start.
 * The SDK allows one runtime per process, so only the first call takes effect.
 */
export function installTemporalLogging(log: Logger): void {
  if (installed) return;
  installed = true;
  const forward = (entry: LogEntry) => {
    const meta = entry.meta ?? {};
    if (entry.level === 'ERROR') log.error(meta, entry.message);
    else log.warn(meta, entry.message);
  };
  Runtime.install({ logger: new DefaultLogger('WARN', forward) });
}

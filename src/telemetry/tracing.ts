/**
 * OpenTelemetry traces, on when the standard OTel variables ask for them
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none turn them off). Then an HTTP request to the API, the Temporal calls
 * it makes, the workflow and each activity are one trace, sent over OTLP/HTTP (JSON) in batches.
 * Otherwise nothing is loaded, patched or exported.
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import { createLogger } from '../logger';
import type { IResource } from '@opentelemetry/resources';
// Types only: the modules themselves are required when traces are on.
import type * as ResourcesModule from '@opentelemetry/resources';
import type * as TraceBaseModule from '@opentelemetry/sdk-trace-base';
import type * as TraceNodeModule from '@opentelemetry/sdk-trace-node';
import type * as ExporterModule from '@opentelemetry/exporter-trace-otlp-http';
import type * as InstrumentationModule from '@opentelemetry/instrumentation';
import type * as HttpModule from '@opentelemetry/instrumentation-http';
import type * as ExpressModule from '@opentelemetry/instrumentation-express';

/** The exporting tracer of this process. */
export interface Tracing {
  /** Where the workflows' spans go too (they are made in the sandbox and handed out by a sink). */
  processor: SpanProcessor;
  resource: IResource;
  /** Sends the spans not sent yet; a failure is logged, not thrown. */
  flush(): Promise<void>;
}

let active: Tracing | undefined;

/** Whether the environment asks for traces, by the OTel SDK's own variables. */
export function tracesWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter && exporter !== 'otlp') return false;
  return !!(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** Requests a scraper or a load balancer makes all the time: not worth a trace each. */
const UNTRACED_PATHS = new Set(['/metrics', '/health', '/ready']);

/**
 * Starts exporting traces when {@link tracesWanted}. Must run before `http` and `express` are
 * first imported (the instrumentations patch them as they load): the entry points import
 * ./register first. Idempotent.
 * @returns the tracer, or undefined when traces are off
 */
export function startTracing(): Tracing | undefined {
  const env = process.env;
  if (active || !tracesWanted(env)) return active;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when traces are on */
  const { Resource, envDetectorSync } = require('@opentelemetry/resources') as typeof ResourcesModule;
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof TraceBaseModule;
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof TraceNodeModule;
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof ExporterModule;
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof InstrumentationModule;
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof HttpModule;
  const { ExpressInstrumentation, ExpressLayerType } = require('@opentelemetry/instrumentation-express') as typeof ExpressModule;
  /* eslint-enable @typescript-eslint/no-require-imports */

  // Synchronous detectors only: the workflows' spans skip the processor's wait for async resource
  // attributes (temporalio/sdk-typescript#1779). OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES apply.
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': 'weft' }))
    .merge(envDetectorSync.detect());
  // The exporter reads OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout), the processor OTEL_BSP_*.
  const processor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register(); // AsyncLocalStorage context and W3C trace-context propagation
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]!) }),
      // Route handlers only: a span for each of the API's dozen middleware would bury the rest.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    ],
  });
  const log = reportExportFailures(env);
  // A collector that is down costs the spans, never the caller's shutdown.
  const flush = () => provider.forceFlush().catch((err: unknown) => log.warn({ err }, 'OpenTelemetry: spans could not be sent'));
  active = { processor, resource, flush };
  return active;
}

/**
 * OpenTelemetry's own warnings and errors (a collector that cannot be reached, spans dropped) as
 * JSON log lines, not lost: its default is to say nothing. Runs before the settings are read,
 * hence its own look at LOG_LEVEL.
 */
function reportExportFailures(env: NodeJS.ProcessEnv): Logger {
  const level = PINO_LEVELS.has(env.LOG_LEVEL ?? '') ? (env.LOG_LEVEL as string) : 'info';
  const log = createLogger(level, 'opentelemetry');
  const line =
    (write: (fields: object, msg: string) => void) =>
    (message: string, ...args: unknown[]) =>
      write(args.length > 0 ? { details: args.map((a) => (a instanceof Error ? a.message : a)) } : {}, message);
  diag.setLogger(
    {
      error: line((f, m) => log.error(f, m)),
      warn: line((f, m) => log.warn(f, m)),
      info: line((f, m) => log.info(f, m)),
      debug: line((f, m) => log.debug(f, m)),
      verbose: line((f, m) => log.trace(f, m)),
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return log;
}

const PINO_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** The tracer {@link startTracing} started, if any. */
export function activeTracing(): Tracing | undefined {
  return active;
}

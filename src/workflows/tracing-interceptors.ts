/**
 * OpenTelemetry spans of a workflow (RunWorkflow, StartActivity, StartChildWorkflow, signal and
 * update handlers), from `@temporalio/interceptors-opentelemetry`, for the executions that were
 * started with a trace context only: an API that exports traces (OTEL_EXPORTER_OTLP_ENDPOINT)
 * puts one in the start's `_tracer-data` header. The decision rests on that header, which is in
 * the history, so a replay decides the same way. This keeps the package off every execution
 * started without tracing, including all recorded before it existed: its interceptors add yield
 * points and draw span ids from the workflow's Math.random, either of which could make an old
 * history replay differently (temporalio/sdk-typescript#1677, #2023).
 *
 * Queries and update validators are never traced: a span there draws from Math.random outside
 * the history, so a later uuid4() or jitter differs on replay (temporalio/sdk-typescript#2023).
 */
import type {
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type * as OtelWorkflowModule from '@temporalio/interceptors-opentelemetry/lib/workflow';

/** The header the package's client interceptor writes the trace context to (its TRACE_HEADER). */
const TRACE_HEADER = '_tracer-data';

/** The package's workflow interceptors, loaded the first time a traced execution needs them. */
function loadOtel(): { inbound: WorkflowInboundCallsInterceptor; outbound: WorkflowOutboundCallsInterceptor; internals: WorkflowInternalsInterceptor } {
  // Loaded lazily: importing it patches the sandbox's globals (a fake `performance` and `window`),
  // which untraced executions should not pay for. The bundler includes it all the same.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const otel = require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof OtelWorkflowModule;
  return {
    inbound: new otel.OpenTelemetryInboundInterceptor(),
    outbound: new otel.OpenTelemetryOutboundInterceptor(),
    internals: new otel.OpenTelemetryInternalsInterceptor(),
  };
}

/** Weft's workflow interceptors module for tracing (see the top of this file). */
export const interceptors = (): WorkflowInterceptors => {
  let otel: ReturnType<typeof loadOtel> | undefined;
  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      if (!input.headers[TRACE_HEADER]) return next(input);
      otel = loadOtel();
      return otel.inbound.execute!(input, next);
    },
    handleSignal: (input, next) => (otel ? otel.inbound.handleSignal!(input, next) : next(input)),
    handleUpdate: (input, next) => (otel ? otel.inbound.handleUpdate!(input, next) : next(input)),
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => (otel ? otel.outbound.scheduleActivity!(input, next) : next(input)),
    scheduleLocalActivity: (input, next) => (otel ? otel.outbound.scheduleLocalActivity!(input, next) : next(input)),
    startChildWorkflowExecution: (input, next) => (otel ? otel.outbound.startChildWorkflowExecution!(input, next) : next(input)),
    signalWorkflow: (input, next) => (otel ? otel.outbound.signalWorkflow!(input, next) : next(input)),
    continueAsNew: (input, next) => (otel ? otel.outbound.continueAsNew!(input, next) : next(input)),
    // Workflow log lines of a traced execution carry trace_id and span_id.
    getLogAttributes: (input, next) => (otel ? otel.outbound.getLogAttributes!(input, next) : next(input)),
  };
  const internals: WorkflowInternalsInterceptor = {
    dispose: (input, next) => (otel ? otel.internals.dispose!(input, next) : next(input)),
  };
  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};

import { loggedUrl } from '../../src/api/access-log';
import { querySummary } from '../../src/db/errors';
import { nodeIdOfActivityId } from '../../src/temporal/node-log-interceptor';
import { temporalLogLevel, weftLogFields } from '../../src/temporal/runtime-logging';
import { tracesWanted } from '../../src/telemetry/tracing';

test("LOG_LEVEL sets the Temporal SDK's level: debug lets its DEBUG lines through, error and silent only its errors", () => {
  expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map(temporalLogLevel)).toEqual([
    'TRACE',
    'DEBUG',
    'INFO',
    'WARN',
    'ERROR',
    'ERROR',
    'ERROR',
  ]);
});

test("an activity line's workflowRunId is logged as runId, as workflow lines name it", () => {
  expect(weftLogFields({ workflowId: 'w', workflowRunId: 'r', activityType: 'apiCall' })).toEqual({ workflowId: 'w', runId: 'r', activityType: 'apiCall' });
  expect(weftLogFields({ workflowId: 'w', runId: 'r' })).toEqual({ workflowId: 'w', runId: 'r' });
  expect(weftLogFields(undefined)).toEqual({});
});

test("a node's activity id names its node; the bookkeeping activities' numeric ids name none", () => {
  expect(nodeIdOfActivityId('fetch_quote:0')).toBe('fetch_quote');
  expect(nodeIdOfActivityId('charge-card:3:2')).toBe('charge-card');
  expect(nodeIdOfActivityId('notify:1~4')).toBe('notify');
  expect(nodeIdOfActivityId('7')).toBeUndefined();
});

test("a query's summary is its verb and tables, none of its values", () => {
  expect(querySummary('select "id", "name" from "workflow_definitions" left join "workflow_versions" on x = $1 where "name" = $2')).toBe(
    'select workflow_definitions, workflow_versions',
  );
  expect(querySummary('insert into "audit_log" ("actor") values ($1)')).toBe('insert audit_log');
  expect(querySummary('update "executions" set "status" = $1')).toBe('update executions');
  expect(querySummary("select 'card 4111' as x")).toBe('select');
});

test('a credential in a query string is redacted in the access log', () => {
  expect(loggedUrl('/?token=eyJabc.def&view=inbox')).toBe('/?token=[redacted]&view=inbox');
  expect(loggedUrl('/api/v1/workflows?limit=5')).toBe('/api/v1/workflows?limit=5');
});

test('traces are on only when an OTLP endpoint is set and OpenTelemetry is not turned off', () => {
  expect(tracesWanted({})).toBe(false);
  expect(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(true);
  expect(tracesWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(true);
  expect(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  expect(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
});

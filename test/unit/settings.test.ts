import { ConfigError, loadSettings } from '../../src/config/settings';

test('defaults: embedded Temporal and PGlite in ./.weft, port 3000', () => {
  const s = loadSettings({});
  expect(s).toMatchObject({ port: 3000, temporalAddress: undefined, databaseUrl: undefined, taskQueue: 'weft', httpAllowedHosts: [] });
  expect(s.dataDir.endsWith('.weft')).toBe(true);
});

test('every bad variable is named in one error', () => {
  let error: unknown;
  try {
    loadSettings({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'localhost', WEFT_JWT_SECRET: 'short' });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  for (const name of ['PORT', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'WEFT_JWT_SECRET']) expect(message).toContain(`${name}:`);
});

test('allowed hosts are a trimmed, lower-cased list; empty strings count as unset', () => {
  const s = loadSettings({ WEFT_HTTP_ALLOWED_HOSTS: ' api.Example.com , 10.0.0.5:8443 ,', PORT: '' });
  expect(s.httpAllowedHosts).toEqual(['api.example.com', '10.0.0.5:8443']);
  expect(s.port).toBe(3000);
  expect(() => loadSettings({ WEFT_HTTP_ALLOWED_HOSTS: 'http://evil/' })).toThrow(/WEFT_HTTP_ALLOWED_HOSTS/);
});

test("worker tuning: unset keeps the SDK's defaults, set values reach the worker's options, pollers never outnumber slots", () => {
  expect(loadSettings({}).workerTuning).toEqual({});
  const s = loadSettings({
    WEFT_WORKER_MAX_CONCURRENT_ACTIVITIES: '50',
    WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
    WEFT_WORKER_WORKFLOW_POLLERS: '4',
    WEFT_WORKER_ACTIVITY_POLLERS: '8',
  });
  expect(s.workerTuning).toEqual({
    maxConcurrentActivityTaskExecutions: 50,
    maxConcurrentWorkflowTaskExecutions: 20,
    maxConcurrentWorkflowTaskPolls: 4,
    maxConcurrentActivityTaskPolls: 8,
  });
  expect(() => loadSettings({ WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '4', WEFT_WORKER_WORKFLOW_POLLERS: '6' })).toThrow(
    /WEFT_WORKER_WORKFLOW_POLLERS: must be at most WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS \(4\)/,
  );
  // Against the SDK's default of 100 activity slots.
  expect(() => loadSettings({ WEFT_WORKER_ACTIVITY_POLLERS: '101', WEFT_WORKER_MAX_CONCURRENT_ACTIVITIES: '' })).toThrow(
    /WEFT_WORKER_ACTIVITY_POLLERS: must be at most WEFT_WORKER_MAX_CONCURRENT_ACTIVITIES \(100\)/,
  );
  expect(() => loadSettings({ WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toThrow(/WEFT_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS/);
});

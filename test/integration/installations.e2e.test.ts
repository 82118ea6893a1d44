/**
 * Two Weft installations on one machine, and Weft against a Temporal it did not set up itself:
 * an embedded dev server whose port is taken stops Weft instead of joining the other server;
 * two installations that share a task queue by mistake never run each other's activities; a
 * namespace without Weft's search attributes gets them at start; Temporal's refusals answer
 * problems with a code, never a bare 500.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadSettings } from '../../src/config/settings';
import { createLogger } from '../../src/logger';
import { startWeft } from '../../src/runtime';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { DevServerStartError, startDevServer } from '../../src/temporal/dev-server';
import { SearchAttributesError } from '../../src/temporal/search-attributes';
import { startFakeService, type FakeService } from '../support/fake-service';
import { freePort } from '../support/ports';
import { publishGraph, startInstance, startTestWeft, waitForInstance, type TestWeft } from '../support/harness';

jest.setTimeout(120_000);

const startToEnd = (name: string) => ({
  name,
  nodes: [
    { id: 'start', type: 'START' },
    { id: 'end', type: 'END' },
  ],
  edges: [{ source: 'start', target: 'end' }],
});

describe('an embedded dev server whose port is taken', () => {
  it('stops Weft with a message naming the port and the variable, instead of joining the server there', async () => {
    const port = await freePort();
    const first = await startDevServer({ port });
    const dataDir = mkdtempSync(join(tmpdir(), 'weft-second-'));
    try {
      const settings = loadSettings({ PORT: '0', WEFT_DATA_DIR: dataDir, WEFT_TEMPORAL_PORT: String(port), LOG_LEVEL: 'silent' });
      const err = await startWeft(settings, { api: true, worker: true, log: createLogger('silent') }).then(
        (w) => w.stop().then(() => undefined),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DevServerStartError);
      expect((err as Error).message).toContain(`127.0.0.1:${port} is already in use`);
      expect((err as Error).message).toContain('WEFT_TEMPORAL_PORT');
    } finally {
      await first.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('two installations on one task queue', () => {
  let svc: FakeService;
  let a: TestWeft;
  let b: TestWeft;

  beforeAll(async () => {
    svc = await startFakeService();
    svc.handle((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url })));
    a = await startTestWeft({ allowedHosts: [svc.host] });
    // The mistake: another installation (its own database) on the same server and task queue.
    b = await startTestWeft({ allowedHosts: [svc.host], env: { WEFT_TASK_QUEUE: a.settings.taskQueue } });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await svc?.close();
  });

  it("never runs the other's activities: every execution completes right, in its own database", async () => {
    expect(a.weft.installationId).not.toBe(b.weft.installationId);
    const id = await publishGraph(a, {
      name: 'echo-twice',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'one', type: 'API_CALL', properties: { method: 'GET', url: `${svc.url}/one/\${input.n}` } },
        { id: 'two', type: 'API_CALL', properties: { method: 'GET', url: `${svc.url}/two/\${input.n}` } },
        { id: 'end', type: 'END', properties: { output: { one: 'nodes.one.output.body.path', two: 'nodes.two.output.body.path' } } },
      ],
      edges: [
        { source: 'start', target: 'one' },
        { source: 'one', target: 'two' },
        { source: 'two', target: 'end' },
      ],
    });
    const ids = await Promise.all(Array.from({ length: 12 }, (_, n) => startInstance(a, id, { n })));
    const done = await Promise.all(ids.map((x) => waitForInstance(a, x, 60_000)));
    done.forEach((inst, n) => {
      expect(inst.status).toBe('completed');
      expect(inst.output).toEqual({ one: `/one/${n}`, two: `/two/${n}` });
    });
    // The other installation's worker did take some of them, and refused each at once.
    let refused = 0;
    for (const x of ids) {
      const { events } = await a.temporal.workflow.getHandle(x).fetchHistory();
      refused += (events ?? []).filter(
        (e) => e.activityTaskFailedEventAttributes?.failure?.cause?.applicationFailureInfo?.type === 'WRONG_INSTALLATION',
      ).length;
      refused += (events ?? []).filter((e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type === 'WRONG_INSTALLATION').length;
    }
    expect(refused).toBeGreaterThan(0);
    // The other installation's database learnt nothing of them.
    const other = await b.api('GET', '/api/v1/workflow-instances?limit=100');
    expect(other.status).toBe(200);
    expect(JSON.stringify(other.body)).not.toMatch(/exec-/);
  });
});

describe('a Temporal server without Weft search attributes', () => {
  let server: TestWorkflowEnvironment;
  let t: TestWeft;

  beforeAll(async () => {
    const cli = ensureTemporalCli();
    server = await TestWorkflowEnvironment.createLocal({
      server: { executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' }, log: { format: 'pretty', level: 'error' } },
    });
    t = await startTestWeft({ env: { TEMPORAL_ADDRESS: server.address } });
  });
  let serverStopped = false;
  afterAll(async () => {
    await t?.stop();
    if (!serverStopped) await server?.teardown();
  });

  it('gets them registered at start, so executions start and complete', async () => {
    const listed = await server.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(listed.customAttributes ?? {})).toEqual(
      expect.arrayContaining([
        'WeftDefinitionId',
        'WeftVersion',
        'WeftStatus',
        'WeftSite',
        'WeftRolloutDefinitionId',
        'WeftRolloutVersion',
        'WeftRolloutStatus',
      ]),
    );
    const id = await publishGraph(t, {
      name: 'plain',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'end', type: 'END', properties: { output: { ok: 'true' } } },
      ],
      edges: [{ source: 'start', target: 'end' }],
    });
    const inst = await waitForInstance(t, await startInstance(t, id, {}));
    expect(inst).toMatchObject({ status: 'completed', output: { ok: true } });
  });

  it('answers a refusal by Temporal with a problem and a code, not 500', async () => {
    await server.connection.operatorService.removeSearchAttributes({ namespace: 'default', searchAttributes: ['WeftDefinitionId'] });
    const id = await publishGraph(t, startToEnd('refused'));
    const res = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: {} });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'TEMPORAL_REFUSED' });
    expect(res.body.detail).toContain('WeftDefinitionId');
  });

  it('answers 503 with Retry-After while Temporal is down, not 500', async () => {
    const id = await publishGraph(t, startToEnd('unreachable'));
    await server.teardown();
    serverStopped = true;
    const res = await t.api('POST', `/api/v1/workflows/${id}/instances`, { input: {} });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'TEMPORAL_UNAVAILABLE' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('a Temporal server that will not take what Weft needs', () => {
  let server: TestWorkflowEnvironment;

  beforeAll(async () => {
    const cli = ensureTemporalCli();
    server = await TestWorkflowEnvironment.createLocal({
      server: { executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' }, log: { format: 'pretty', level: 'error' } },
    });
  });
  afterAll(async () => {
    await server?.teardown();
  });

  const startAgainst = async (env: Record<string, string>) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'weft-refused-'));
    try {
      const settings = loadSettings({ PORT: '0', WEFT_DATA_DIR: dataDir, TEMPORAL_ADDRESS: server.address, LOG_LEVEL: 'silent', ...env });
      return await startWeft(settings, { api: true, worker: true, log: createLogger('silent') }).then(
        async (w) => {
          await w.stop();
          return undefined;
        },
        (e: unknown) => e as Error,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };

  it('a namespace that does not exist: refuses to start, and does not create it', async () => {
    const err = await startAgainst({ TEMPORAL_NAMESPACE: 'no-such-namespace' });
    expect(err).toBeInstanceOf(SearchAttributesError);
    expect(err?.message).toContain('temporal operator namespace create');
  });

  it('no room for the search attributes: refuses to start with the exact commands to run', async () => {
    // The SQL visibility store has a fixed number of Keyword slots: fill them all.
    for (let i = 0; ; i++) {
      const added = await server.connection.operatorService
        .addSearchAttributes({ namespace: 'default', searchAttributes: { [`Filler${i}`]: encodeSearchAttributeIndexedValueType('KEYWORD')! } })
        .then(
          () => true,
          () => false,
        );
      if (!added) break;
      if (i > 100) throw new Error('the server took 100 Keyword attributes: no limit to hit');
    }
    const err = await startAgainst({});
    expect(err).toBeInstanceOf(SearchAttributesError);
    for (const name of ['WeftDefinitionId', 'WeftVersion', 'WeftStatus', 'WeftSite', 'WeftRolloutDefinitionId', 'WeftRolloutVersion', 'WeftRolloutStatus']) {
      expect(err?.message).toContain(`temporal operator search-attribute create --address ${server.address} --namespace default --name ${name} --type Keyword`);
    }
  });
});

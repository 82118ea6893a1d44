/**
 * The repository contract, written once and run against every driver (see the
 * `repositories.*.test.ts` files). Each test uses fresh random ids, so tests share one database
 * per file without cleaning up between them.
 */
import { rejectsWithCode } from '../../support/expect-weft-error';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import {
  addVersion,
  appendAudit,
  createDefinition,
  executeRows,
  finishExecution,
  findExecutionByIdempotencyKey,
  getActiveVersion,
  getDefinition,
  getExecution,
  getLatestVersion,
  getNodeResults,
  getVersion,
  insertExecution,
  listAudit,
  listDefinitions,
  listExecutions,
  listVersions,
  markExecutionRunning,
  publishVersion,
  retireVersion,
  softDeleteDefinition,
  touchDefinition,
  updateDefinition,
  updateExecutionStatus,
  type Database,
  type FinishExecutionInput,
  type NodeResultInput,
  type WeftDb,
} from '../../../src/db';

/** Opens the database under test (migrated) and says how to dispose of it. */
export type OpenForSuite = () => Promise<{ database: Database; dispose: () => Promise<void> }>;

const sampleGraph = (label: string) => ({
  nodes: [
    { id: 'start', type: 'START', name: 'Start', properties: {} },
    { id: 'call', type: 'API_CALL', name: `Call ${label}`, properties: { url: 'https://example.test/x', retries: [1, 2, 3] } },
    { id: 'end', type: 'END', name: 'End', properties: {} },
  ],
  edges: [
    { from: 'start', to: 'call' },
    { from: 'call', to: 'end', condition: '${input.amount > 10}' },
  ],
  variables: { total: { type: 'number', default: 0 }, nested: { deep: [null, true, 'ü'] } },
});

async function newDefinition(db: WeftDb, overrides: { name?: string; description?: string; tags?: string[] } = {}) {
  const id = randomUUID();
  return createDefinition(db, {
    id,
    name: overrides.name ?? `wf-${id.slice(0, 8)}`,
    description: overrides.description,
    tags: overrides.tags,
    createdBy: 'alice',
    version: { id: randomUUID(), version: '1.0.0', graph: sampleGraph('1.0.0'), changelog: 'first' },
  });
}

async function addVersions(db: WeftDb, definitionId: string, versions: string[]): Promise<void> {
  for (const version of versions) {
    await addVersion(db, { id: randomUUID(), definitionId, version, graph: sampleGraph(version), createdBy: 'bob' });
  }
}

function nodeRun(seq: number, nodeId: string, extra: Partial<NodeResultInput> = {}): NodeResultInput {
  return {
    seq,
    nodeId,
    nodeType: nodeId === 'call' ? 'API_CALL' : nodeId.toUpperCase(),
    nodeName: nodeId,
    status: 'completed',
    output: { seq, ok: true },
    error: null,
    attempts: 1,
    startedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)),
    completedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq + 1)),
    ...extra,
  };
}

function finishInput(id: string, definitionId: string, overrides: Partial<FinishExecutionInput> = {}): FinishExecutionInput {
  return {
    id,
    definitionId,
    version: '1.0.0',
    status: 'completed',
    output: { result: 42 },
    error: null,
    completedAt: new Date(Date.UTC(2025, 0, 1, 0, 1, 0)),
    durationMs: 60_000,
    nodeResults: [nodeRun(0, 'start'), nodeRun(1, 'call', { attempts: 3 }), nodeRun(2, 'end')],
    ...overrides,
  };
}

/** Registers the whole repository suite under `describe(label)`. */
export function describeRepositorySuite(label: string, open: OpenForSuite): void {
  describe(label, () => {
    let database: Database;
    let dispose: () => Promise<void>;
    let db: WeftDb;

    beforeAll(async () => {
      ({ database, dispose } = await open());
      db = database.db;
    });

    afterAll(async () => {
      await dispose?.();
    });

    describe('definitions', () => {
      it('creates a definition with its first draft version in one go', async () => {
        const { definition, version } = await newDefinition(db, { tags: ['sales', 'eu'] });
        expect(definition).toMatchObject({ createdBy: 'alice', tags: ['sales', 'eu'], deletedAt: null, activeVersion: null });
        expect(definition.createdAt).toBeInstanceOf(Date);
        expect(version).toMatchObject({ definitionId: definition.id, version: '1.0.0', status: 'draft', changelog: 'first', createdBy: 'alice' });
        expect(version.graph).toEqual(sampleGraph('1.0.0'));
        expect(await getDefinition(db, definition.id)).toEqual(definition);
      });

      it('defaults tags to an empty array', async () => {
        const { definition } = await newDefinition(db);
        expect(definition.tags).toEqual([]);
      });

      it('rolls the definition back when the first version cannot be stored', async () => {
        const { version } = await newDefinition(db);
        const id = randomUUID();
        // Reusing a version id violates the primary key after the definition row was inserted.
        await expect(createDefinition(db, { id, name: 'x', createdBy: 'a', version: { id: version.id, version: '1.0.0', graph: {} } })).rejects.toThrow();
        expect(await getDefinition(db, id)).toBeUndefined();
      });

      it('stores the graph as a JSON object, not as a JSON string', async () => {
        const { version } = await newDefinition(db);
        const rows = await executeRows<{ kind: string }>(db, sql`select jsonb_typeof(graph) as kind from workflow_versions where id = ${version.id}`);
        expect(rows[0]?.kind).toBe('object');
      });

      it('lists live definitions newest first with a total, and pages', async () => {
        const marker = `list-${randomUUID().slice(0, 8)}`;
        const created = [];
        for (let i = 0; i < 3; i++) {
          created.push((await newDefinition(db, { name: `${marker}-${i}` })).definition);
          await new Promise((r) => setTimeout(r, 5)); // distinct created_at
        }
        const page1 = await listDefinitions(db, { limit: 2, offset: 0, search: marker });
        expect(page1.total).toBe(3);
        expect(page1.items.map((d) => d.name)).toEqual([`${marker}-2`, `${marker}-1`]);
        const page2 = await listDefinitions(db, { limit: 2, offset: 2, search: marker });
        expect(page2.items.map((d) => d.name)).toEqual([`${marker}-0`]);
        const all = await listDefinitions(db, { limit: 1000, offset: 0 });
        expect(all.total).toBeGreaterThanOrEqual(3);
      });

      it('searches name and description case-insensitively, tags exactly, and LIKE wildcards literally', async () => {
        const marker = randomUUID().slice(0, 8);
        const a = (await newDefinition(db, { name: `Invoice ${marker}` })).definition;
        const b = (await newDefinition(db, { name: 'other', description: `handles INVOICE_${marker}` })).definition;
        const c = (await newDefinition(db, { name: 'tagged', tags: [`tag-${marker}`] })).definition;
        const byName = await listDefinitions(db, { limit: 10, offset: 0, search: `invoice ${marker}` });
        expect(byName.items.map((d) => d.id)).toEqual([a.id]);
        const both = await listDefinitions(db, { limit: 10, offset: 0, search: marker });
        expect(new Set(both.items.map((d) => d.id))).toEqual(new Set([a.id, b.id]));
        const byTag = await listDefinitions(db, { limit: 10, offset: 0, search: `tag-${marker}` });
        expect(byTag.items.map((d) => d.id)).toEqual([c.id]);
        // `_` must not act as a single-character wildcard.
        const literal = await listDefinitions(db, { limit: 10, offset: 0, search: `invoice_${marker}` });
        expect(literal.items.map((d) => d.id)).toEqual([b.id]);
        const percent = await listDefinitions(db, { limit: 10, offset: 0, search: `%${marker}` });
        expect(percent.total).toBe(0);
      });

      it('soft delete hides the definition from get, list and new versions', async () => {
        const { definition } = await newDefinition(db, { name: `doomed-${randomUUID()}` });
        expect(await softDeleteDefinition(db, definition.id)).toBe(true);
        expect(await getDefinition(db, definition.id)).toBeUndefined();
        expect((await listDefinitions(db, { limit: 10, offset: 0, search: definition.name })).total).toBe(0);
        expect(await softDeleteDefinition(db, definition.id)).toBe(false);
        expect(await softDeleteDefinition(db, randomUUID())).toBe(false);
        await rejectsWithCode(
          addVersion(db, { id: randomUUID(), definitionId: definition.id, version: '2.0.0', graph: {}, createdBy: 'bob' }),
          'WORKFLOW_NOT_FOUND',
        );
        await rejectsWithCode(publishVersion(db, { definitionId: definition.id, version: '1.0.0', publishedBy: 'bob' }), 'WORKFLOW_NOT_FOUND');
        expect(await touchDefinition(db, definition.id)).toBe(false);
        expect(await updateDefinition(db, definition.id, { name: 'back' })).toBeUndefined();
      });

      it('updates descriptive fields and touches updated_at', async () => {
        const { definition } = await newDefinition(db, { description: 'old', tags: ['a'] });
        const updated = await updateDefinition(db, definition.id, { description: 'new' });
        expect(updated).toMatchObject({ name: definition.name, description: 'new', tags: ['a'] });
        const at = new Date(Date.UTC(2030, 5, 1));
        expect(await touchDefinition(db, definition.id, at)).toBe(true);
        expect((await getDefinition(db, definition.id))?.updatedAt).toEqual(at);
      });
    });

    describe('versions', () => {
      it('orders versions by semver, numerically (1.10.0 after 1.9.0)', async () => {
        const { definition } = await newDefinition(db);
        await addVersions(db, definition.id, ['1.9.0', '1.10.0', '1.2.0', '2.0.0-beta.1', '2.0.0', '2.0.0-alpha', '10.0.0-rc.1']);
        const versions = await listVersions(db, definition.id);
        expect(versions.map((v) => v.version)).toEqual(['10.0.0-rc.1', '2.0.0', '2.0.0-beta.1', '2.0.0-alpha', '1.10.0', '1.9.0', '1.2.0', '1.0.0']);
        expect((await getLatestVersion(db, definition.id))?.version).toBe('10.0.0-rc.1');
      });

      it('refuses a duplicate version with VERSION_CONFLICT and keeps the original', async () => {
        const { definition, version } = await newDefinition(db);
        await rejectsWithCode(
          addVersion(db, { id: randomUUID(), definitionId: definition.id, version: '1.0.0', graph: { other: true }, createdBy: 'eve' }),
          'VERSION_CONFLICT',
        );
        expect(await getVersion(db, definition.id, '1.0.0')).toEqual(version);
        expect(await listVersions(db, definition.id)).toHaveLength(1);
      });

      it('allows the same version string in different definitions', async () => {
        const a = await newDefinition(db);
        const b = await newDefinition(db);
        expect(a.version.version).toBe(b.version.version);
      });

      it('refuses a version for a definition that does not exist', async () => {
        await rejectsWithCode(
          addVersion(db, { id: randomUUID(), definitionId: randomUUID(), version: '1.0.0', graph: {}, createdBy: 'bob' }),
          'WORKFLOW_NOT_FOUND',
        );
      });

      it('publish makes a version active and demotes the previous one to published', async () => {
        const { definition } = await newDefinition(db);
        await addVersions(db, definition.id, ['1.1.0']);
        expect(await getActiveVersion(db, definition.id)).toBeUndefined();

        const first = await publishVersion(db, { definitionId: definition.id, version: '1.0.0', publishedBy: 'carol' });
        expect(first).toMatchObject({ status: 'active', publishedBy: 'carol' });
        expect(first.publishedAt).toBeInstanceOf(Date);
        expect((await getDefinition(db, definition.id))?.activeVersion).toBe('1.0.0');

        const second = await publishVersion(db, { definitionId: definition.id, version: '1.1.0', publishedBy: 'dave' });
        expect(second).toMatchObject({ status: 'active', publishedBy: 'dave', version: '1.1.0' });
        expect((await getVersion(db, definition.id, '1.0.0'))?.status).toBe('published');
        expect((await getActiveVersion(db, definition.id))?.version).toBe('1.1.0');
        expect((await getDefinition(db, definition.id))?.activeVersion).toBe('1.1.0');

        // Rolling back to the earlier version swaps again.
        await publishVersion(db, { definitionId: definition.id, version: '1.0.0', publishedBy: 'carol' });
        const statuses = (await listVersions(db, definition.id)).map((v) => [v.version, v.status]);
        expect(statuses).toEqual([
          ['1.1.0', 'published'],
          ['1.0.0', 'active'],
        ]);
      });

      it('publishing the active version again changes nothing', async () => {
        const { definition } = await newDefinition(db);
        const active = await publishVersion(db, { definitionId: definition.id, version: '1.0.0', publishedBy: 'carol' });
        const again = await publishVersion(db, { definitionId: definition.id, version: '1.0.0', publishedBy: 'mallory' });
        expect(again).toEqual(active);
      });

      it('publish of a missing version is VERSION_NOT_FOUND, of an archived one VERSION_CONFLICT', async () => {
        const { definition } = await newDefinition(db);
        await rejectsWithCode(publishVersion(db, { definitionId: definition.id, version: '9.9.9', publishedBy: 'x' }), 'VERSION_NOT_FOUND');
        await addVersions(db, definition.id, ['1.1.0']);
        await retireVersion(db, { definitionId: definition.id, version: '1.1.0', status: 'archived' });
        await rejectsWithCode(publishVersion(db, { definitionId: definition.id, version: '1.1.0', publishedBy: 'x' }), 'VERSION_CONFLICT');
      });

      it('retiring the active version leaves the definition without one', async () => {
        const { definition } = await newDefinition(db);
        await publishVersion(db, { definitionId: definition.id, version: '1.0.0', publishedBy: 'carol' });
        const retired = await retireVersion(db, { definitionId: definition.id, version: '1.0.0', status: 'deprecated' });
        expect(retired.status).toBe('deprecated');
        expect(await getActiveVersion(db, definition.id)).toBeUndefined();
        expect((await getDefinition(db, definition.id))?.activeVersion).toBeNull();
        await rejectsWithCode(retireVersion(db, { definitionId: definition.id, version: '7.0.0', status: 'archived' }), 'VERSION_NOT_FOUND');
      });

      it('concurrent publishes leave exactly one active version', async () => {
        const { definition } = await newDefinition(db);
        const versions = ['1.1.0', '1.2.0', '1.3.0', '1.4.0'];
        await addVersions(db, definition.id, versions);
        await Promise.all(versions.map((version) => publishVersion(db, { definitionId: definition.id, version, publishedBy: 'race' })));
        const active = (await listVersions(db, definition.id)).filter((v) => v.status === 'active');
        expect(active).toHaveLength(1);
        expect((await getDefinition(db, definition.id))?.activeVersion).toBe(active[0]?.version);
      });

      it('never changes a stored graph when newer versions are added and published', async () => {
        const { definition, version } = await newDefinition(db);
        await publishVersion(db, { definitionId: definition.id, version: '1.0.0', publishedBy: 'carol' });
        await addVersions(db, definition.id, ['1.1.0', '2.0.0']);
        await publishVersion(db, { definitionId: definition.id, version: '1.1.0', publishedBy: 'carol' });
        await publishVersion(db, { definitionId: definition.id, version: '2.0.0', publishedBy: 'carol' });
        const stored = await getVersion(db, definition.id, '1.0.0');
        expect(stored?.graph).toEqual(sampleGraph('1.0.0'));
        expect(stored?.graph).toEqual(version.graph);
        expect((await getVersion(db, definition.id, '1.1.0'))?.graph).toEqual(sampleGraph('1.1.0'));
      });
    });

    describe('executions', () => {
      it('insertExecution ignores a second insert of the same id and returns the stored row', async () => {
        const id = randomUUID();
        const first = await insertExecution(db, { id, definitionId: 'd1', version: '1.0.0', status: 'pending', input: { a: 1 }, startedBy: 'alice' });
        expect(first).toMatchObject({ id, status: 'pending', input: { a: 1 }, startedBy: 'alice', completedAt: null });
        const second = await insertExecution(db, { id, definitionId: 'd1', version: '2.0.0', status: 'running', input: { a: 2 } });
        expect(second).toEqual(first);
      });

      it('finds an execution by idempotency key, and a second start with the key returns the first', async () => {
        const definitionId = randomUUID();
        const key = `key-${randomUUID()}`;
        const first = await insertExecution(db, { id: randomUUID(), definitionId, version: '1.0.0', idempotencyKey: key });
        expect((await findExecutionByIdempotencyKey(db, definitionId, key))?.id).toBe(first.id);
        expect(await findExecutionByIdempotencyKey(db, randomUUID(), key)).toBeUndefined();
        expect(await findExecutionByIdempotencyKey(db, definitionId, 'nope')).toBeUndefined();
        const raced = await insertExecution(db, { id: randomUUID(), definitionId, version: '1.0.0', idempotencyKey: key });
        expect(raced.id).toBe(first.id);
        // The same key under another definition is a different execution.
        const other = await insertExecution(db, { id: randomUUID(), definitionId: randomUUID(), version: '1.0.0', idempotencyKey: key });
        expect(other.id).not.toBe(first.id);
      });

      it('markExecutionRunning inserts, or moves a pending execution to running keeping its start', async () => {
        const fresh = randomUUID();
        const startedAt = new Date(Date.UTC(2025, 1, 1));
        const inserted = await markExecutionRunning(db, {
          id: fresh,
          definitionId: 'd',
          version: '1.0.0',
          input: { x: 1 },
          startedAt,
          temporalRunId: 'run-1',
          startedBy: 'w',
        });
        expect(inserted).toMatchObject({ id: fresh, status: 'running', temporalRunId: 'run-1', startedAt, input: { x: 1 }, startedBy: 'w', inserted: true });

        const pendingId = randomUUID();
        const pending = await insertExecution(db, { id: pendingId, definitionId: 'd', version: '1.0.0', input: { y: 2 }, startedBy: 'api-user' });
        const running = await markExecutionRunning(db, {
          id: pendingId,
          definitionId: 'd',
          version: '1.0.0',
          input: { y: 2 },
          startedAt: new Date(),
          temporalRunId: 'run-a',
        });
        expect(running).toMatchObject({ status: 'running', temporalRunId: 'run-a', startedBy: 'api-user', input: { y: 2 }, inserted: false });
        expect(running.startedAt).toEqual(pending.startedAt);

        // continue-as-new: a new run id replaces the old one.
        const next = await markExecutionRunning(db, {
          id: pendingId,
          definitionId: 'd',
          version: '1.0.0',
          input: null,
          startedAt: new Date(),
          temporalRunId: 'run-b',
        });
        expect(next).toMatchObject({ status: 'running', temporalRunId: 'run-b', input: { y: 2 }, inserted: false });
      });

      it('finishExecution twice leaves one set of node rows and the same summary', async () => {
        const definitionId = randomUUID();
        const id = randomUUID();
        await markExecutionRunning(db, { id, definitionId, version: '1.0.0', input: { n: 1 }, startedAt: new Date(Date.UTC(2025, 0, 1)), temporalRunId: 'r1' });
        const first = await finishExecution(db, finishInput(id, definitionId));
        const second = await finishExecution(db, finishInput(id, definitionId));
        expect(second).toEqual(first);
        expect(first).toMatchObject({ status: 'completed', output: { result: 42 }, error: null, durationMs: 60_000, temporalRunId: 'r1', input: { n: 1 } });
        const nodes = await getNodeResults(db, id);
        expect(nodes.map((n) => [n.seq, n.nodeId, n.attempts])).toEqual([
          [0, 'start', 1],
          [1, 'call', 3],
          [2, 'end', 1],
        ]);
        expect(nodes[1]).toMatchObject({ executionId: id, nodeType: 'API_CALL', nodeName: 'call', status: 'completed', output: { seq: 1, ok: true } });
        expect(nodes[1]?.startedAt).toEqual(new Date(Date.UTC(2025, 0, 1, 0, 0, 1)));
      });

      it('finishExecution replaces the node set rather than merging it', async () => {
        const definitionId = randomUUID();
        const id = randomUUID();
        await finishExecution(db, finishInput(id, definitionId));
        await finishExecution(
          db,
          finishInput(id, definitionId, { status: 'failed', output: null, error: { code: 'HTTP_503', message: 'down' }, nodeResults: [nodeRun(0, 'start')] }),
        );
        expect((await getNodeResults(db, id)).map((n) => n.seq)).toEqual([0]);
        expect(await getExecution(db, id)).toMatchObject({ status: 'failed', output: null, error: { code: 'HTTP_503', message: 'down' } });
      });

      it('finishExecution creates the execution when its start was never recorded', async () => {
        const definitionId = randomUUID();
        const id = randomUUID();
        const row = await finishExecution(db, finishInput(id, definitionId, { temporalRunId: 'late' }));
        expect(row).toMatchObject({ id, definitionId, version: '1.0.0', status: 'completed', temporalRunId: 'late' });
        expect(row.startedAt).toEqual(new Date(Date.UTC(2025, 0, 1, 0, 0, 0)));
        expect(await getNodeResults(db, id)).toHaveLength(3);
      });

      it('stores durations longer than 2^31 ms (an approval that waits for weeks)', async () => {
        const id = randomUUID();
        const durationMs = 40 * 24 * 3600 * 1000;
        const row = await finishExecution(db, finishInput(id, randomUUID(), { durationMs, nodeResults: [] }));
        expect(row.durationMs).toBe(durationMs);
      });

      it('handles hundreds of node runs in one finish', async () => {
        const id = randomUUID();
        const runs = Array.from({ length: 1200 }, (_, i) => nodeRun(i, 'call'));
        await finishExecution(db, finishInput(id, randomUUID(), { nodeResults: runs }));
        const nodes = await getNodeResults(db, id);
        expect(nodes).toHaveLength(1200);
        expect(nodes[1199]?.seq).toBe(1199);
      });

      it('a finished execution never moves back to running or waiting', async () => {
        const definitionId = randomUUID();
        const id = randomUUID();
        await finishExecution(db, finishInput(id, definitionId, { status: 'cancelled' }));
        const afterMark = await markExecutionRunning(db, { id, definitionId, version: '1.0.0', input: {}, startedAt: new Date(), temporalRunId: 'zombie' });
        expect(afterMark.status).toBe('cancelled');
        expect(afterMark.temporalRunId).toBeNull();
        expect((await updateExecutionStatus(db, id, 'waiting'))?.status).toBe('cancelled');
      });

      it('updateExecutionStatus moves between live statuses and answers undefined for a missing id', async () => {
        const id = randomUUID();
        await insertExecution(db, { id, definitionId: 'd', version: '1.0.0' });
        expect((await updateExecutionStatus(db, id, 'running'))?.status).toBe('running');
        expect((await updateExecutionStatus(db, id, 'waiting'))?.status).toBe('waiting');
        expect((await updateExecutionStatus(db, id, 'escalated'))?.status).toBe('escalated');
        expect(await updateExecutionStatus(db, randomUUID(), 'running')).toBeUndefined();
      });

      it('lists executions by definition and status, newest first, with a total', async () => {
        const definitionId = randomUUID();
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) {
          const id = `exec-${i}-${randomUUID()}`;
          ids.push(id);
          await insertExecution(db, {
            id,
            definitionId,
            version: '1.0.0',
            status: i % 2 === 0 ? 'running' : 'waiting',
            startedAt: new Date(Date.UTC(2025, 2, 1, i)),
          });
        }
        const all = await listExecutions(db, { definitionId, limit: 10, offset: 0 });
        expect(all.total).toBe(4);
        expect(all.items.map((e) => e.id)).toEqual([...ids].reverse());
        const running = await listExecutions(db, { definitionId, status: 'running', limit: 1, offset: 0 });
        expect(running.total).toBe(2);
        expect(running.items.map((e) => e.id)).toEqual([ids[2]]);
        const either = await listExecutions(db, { definitionId, status: ['running', 'waiting'], limit: 10, offset: 3 });
        expect(either).toEqual({ total: 4, items: [expect.objectContaining({ id: ids[0] })] });
        const unfiltered = await listExecutions(db, { limit: 1, offset: 0 });
        expect(unfiltered.total).toBeGreaterThanOrEqual(4);
      });

      it('getExecution and getNodeResults answer empty for unknown ids', async () => {
        expect(await getExecution(db, randomUUID())).toBeUndefined();
        expect(await getNodeResults(db, randomUUID())).toEqual([]);
      });
    });

    describe('audit', () => {
      it('appends entries and lists them newest first with filters', async () => {
        const resourceId = randomUUID();
        const e1 = await appendAudit(db, { actor: 'alice', action: 'workflow.created', resourceType: 'workflow', resourceId, details: { name: 'x' } });
        const e2 = await appendAudit(db, { actor: 'bob', action: 'version.published', resourceType: 'workflow', resourceId });
        const e3 = await appendAudit(db, { actor: 'alice', action: 'workflow.deleted', resourceType: 'workflow', resourceId });
        expect(e1).toMatchObject({ actor: 'alice', action: 'workflow.created', resourceType: 'workflow', resourceId, details: { name: 'x' } });
        expect(e1.at).toBeInstanceOf(Date);
        expect(e2.details).toBeNull();
        expect(e2.id).toBeGreaterThan(e1.id);

        const all = await listAudit(db, { resourceType: 'workflow', resourceId, limit: 10 });
        expect(all.map((e) => e.id)).toEqual([e3.id, e2.id, e1.id]);
        const byAlice = await listAudit(db, { resourceId, actor: 'alice', limit: 10 });
        expect(byAlice.map((e) => e.action)).toEqual(['workflow.deleted', 'workflow.created']);
        const limited = await listAudit(db, { resourceId, limit: 1 });
        expect(limited.map((e) => e.id)).toEqual([e3.id]);
        const byAction = await listAudit(db, { resourceId, action: 'version.published', limit: 10 });
        expect(byAction.map((e) => e.actor)).toEqual(['bob']);
        const paged = await listAudit(db, { resourceId, limit: 1, offset: 1 });
        expect(paged.map((e) => e.id)).toEqual([e2.id]);
        expect(await listAudit(db, { resourceType: 'nothing-here', limit: 10 })).toEqual([]);
      });

      it('accepts an explicit timestamp', async () => {
        const at = new Date(Date.UTC(2024, 11, 24, 12, 0, 0, 123));
        const entry = await appendAudit(db, { actor: 'system', action: 'execution.completed', resourceType: 'execution', resourceId: randomUUID(), at });
        expect(entry.at).toEqual(at);
      });
    });

    it('composes repositories inside a caller transaction that rolls back as a whole', async () => {
      const id = randomUUID();
      await expect(
        db.transaction(async (tx) => {
          await createDefinition(tx, { id, name: 'tx', createdBy: 'a', version: { id: randomUUID(), version: '1.0.0', graph: {} } });
          await addVersion(tx, { id: randomUUID(), definitionId: id, version: '1.0.0', graph: {}, createdBy: 'a' });
        }),
      ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
      expect(await getDefinition(db, id)).toBeUndefined();
    });
  });
}

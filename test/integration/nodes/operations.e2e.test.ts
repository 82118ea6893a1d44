/**
 * The manufacturing operation nodes end to end through published graphs, on the real worker,
 * Temporal and HTTP API: QUALITY_CHECK pass / warn / fail (and continueOnError), MATERIAL_CONSUME
 * against stock received through the API (INSUFFICIENT_STOCK changing nothing), and
 * EQUIPMENT_OPERATION reserve → start → complete with a conflicting reservation refused.
 */
import { listMovements, listQualityResults } from '../../../src/db';
import { runGraph, startTestWeft, type TestWeft } from '../../support/harness';
import { lineGraph as line } from '../../support/line-graph';

let t: TestWeft;

beforeAll(async () => {
  t = await startTestWeft();
});

afterAll(async () => {
  await t?.stop();
});

describe('QUALITY_CHECK', () => {
  const specification = [
    { name: 'thickness', kind: 'numeric', target: 12, tolerance: 0.5, warnMargin: 0.1 },
    { name: 'colour', kind: 'allowed', allowed: ['red', 'green'] },
    { name: 'serial', kind: 'regex', pattern: '^SN-\\d{4}$' },
    { name: 'weight', kind: 'expression', rule: 'value <= measurements.thickness * 2' },
  ];
  const graph = (continueOnError = false) =>
    line('inspect', [{ id: 'qc', type: 'QUALITY_CHECK', properties: { specification, measurements: '${input.measurements}', continueOnError } }], {
      qc: 'nodes.qc.output',
    });
  const good = { thickness: 12.2, colour: 'red', serial: 'SN-0001', weight: 20 };

  it('passes, and records the result', async () => {
    const out = await runGraph(t, graph(), { measurements: good });
    expect(out.status).toBe('completed');
    expect(out.output.qc.result).toBe('pass');
    expect(out.output.qc.characteristics.map((c: { result: string }) => c.result)).toEqual(['pass', 'pass', 'pass', 'pass']);
    const recorded = await listQualityResults(t.weft.database.db, out.id);
    expect(recorded.map((r) => [r.nodeId, r.iteration, r.result])).toEqual([['qc', 0, 'pass']]);
  });

  it('warns near a limit and goes on', async () => {
    const out = await runGraph(t, graph(), { measurements: { ...good, thickness: 12.45 } });
    expect(out.status).toBe('completed');
    expect(out.output.qc.result).toBe('warn');
    expect(out.output.qc.characteristics[0]).toMatchObject({ name: 'thickness', result: 'warn' });
  });

  it('a fail fails the execution with QUALITY_CHECK_FAILED naming the characteristics, recorded; continueOnError carries the error', async () => {
    const bad = { ...good, thickness: 13, colour: 'blue' };
    const failed = await runGraph(t, graph(), { measurements: bad });
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'QUALITY_CHECK_FAILED', nodeId: 'qc' });
    expect(failed.error.message).toContain('thickness (13 above max 12.5); colour ("blue" not allowed)');
    const recorded = await listQualityResults(t.weft.database.db, failed.id);
    expect(recorded.map((r) => r.result)).toEqual(['fail']);
    expect(recorded[0]!.details.characteristics).toHaveLength(4);

    const lenient = await runGraph(t, graph(true), { measurements: bad });
    expect(lenient.status).toBe('completed');
    expect(lenient.output.qc.error).toMatchObject({ code: 'QUALITY_CHECK_FAILED', nodeId: 'qc' });
  });

  it('an unsafe pattern is refused when the definition is created', async () => {
    const res = await t.api('POST', '/api/v1/workflows', {
      ...graph(),
      nodes: graph().nodes.map((n) =>
        n.id === 'qc' ? { ...n, properties: { specification: [{ name: 's', kind: 'regex', pattern: '(a+)+$' }], measurements: {} } } : n,
      ),
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('/nodes/1/properties/specification/0/pattern');
  });
});

describe('MATERIAL_CONSUME', () => {
  const consume = (quantity: unknown) =>
    line(
      'consume',
      [{ id: 'take', type: 'MATERIAL_CONSUME', properties: { material: '${input.material}', lot: 'L1', location: 'WH1', quantity, unit: 'kg' } }],
      { took: 'nodes.take.output' },
    );

  it('consumes received stock once; INSUFFICIENT_STOCK fails the execution and leaves the stock as it was', async () => {
    const operator = t.token(['operator'], 'olga');
    const receipt = await t.api(
      'POST',
      '/api/v1/inventory/receipts',
      { material: 'resin', lot: 'L1', location: 'WH1', quantity: 10, unit: 'kg' },
      { token: operator },
    );
    expect(receipt.status).toBe(201);
    expect(receipt.body).toMatchObject({ material: 'resin', lot: 'L1', quantity: 10, unit: 'kg' });
    expect((await t.api('POST', '/api/v1/inventory/receipts', { material: 'resin' }, { token: operator })).status).toBe(400);
    expect((await t.api('POST', '/api/v1/inventory/receipts', receipt.body, { token: t.token(['viewer']) })).status).toBe(403);

    const ok = await runGraph(t, consume('${input.qty}'), { material: 'resin', qty: 4 });
    expect(ok.status).toBe('completed');
    expect(ok.output.took).toMatchObject({ material: 'resin', lot: 'L1', location: 'WH1', consumed: 4, unit: 'kg', remaining: 6 });
    const moves = await listMovements(t.weft.database.db, { executionId: ok.id });
    expect(moves.map((m) => [m.id, m.idempotencyKey, m.delta])).toEqual([[ok.output.took.movementId, `${ok.id}:take:0`, '-4']]);

    const short = await runGraph(t, consume(100), { material: 'resin' });
    expect(short.status).toBe('failed');
    expect(short.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', nodeId: 'take' });
    const unknown = await runGraph(t, consume(1), { material: 'nothing' });
    expect(unknown.error.code).toBe('MATERIAL_NOT_FOUND');

    const lots = await t.api('GET', '/api/v1/inventory?material=resin');
    expect(lots.body.items).toEqual([expect.objectContaining({ material: 'resin', lot: 'L1', location: 'WH1', quantity: 6, unit: 'kg' })]);
  });
});

describe('EQUIPMENT_OPERATION', () => {
  const op = (id: string, action: string, extra: Record<string, unknown> = {}) => ({
    id,
    type: 'EQUIPMENT_OPERATION',
    properties: { equipmentId: '${input.equipment}', action, ...extra },
  });
  const held = '${nodes.reserve.output.reservationId}';
  const fullCycle = line(
    'press-cycle',
    [
      op('reserve', 'reserve', { from: '${input.from}', until: '${input.until}' }),
      op('begin', 'start', { reservationId: held }),
      op('finish', 'complete', { reservationId: held }),
    ],
    { reserved: 'nodes.reserve.output', finished: 'nodes.finish.output' },
  );
  const reserveOnly = line('press-hold', [op('reserve', 'reserve', { from: '${input.from}', durationMinutes: 120 })], { reserved: 'nodes.reserve.output' });

  it('reserve → start → complete; an overlapping reservation fails with EQUIPMENT_UNAVAILABLE; out of order with INVALID_EQUIPMENT_STATE', async () => {
    const created = await t.api('POST', '/api/v1/equipment', { id: 'press-7', name: 'Press 7', kind: 'press' });
    expect(created.status).toBe(201);
    expect((await t.api('POST', '/api/v1/equipment', { id: 'press-7', name: 'Again', kind: 'press' })).status).toBe(409);

    const hold = await runGraph(t, reserveOnly, { equipment: 'press-7', from: '2031-05-01T08:00:00Z' });
    expect(hold.status).toBe('completed');
    expect(hold.output.reserved).toMatchObject({ state: 'reserved', startsAt: '2031-05-01T08:00:00.000Z', endsAt: '2031-05-01T10:00:00.000Z' });

    const clash = await runGraph(t, fullCycle, { equipment: 'press-7', from: '2031-05-01T09:00:00Z', until: '2031-05-01T11:00:00Z' });
    expect(clash.status).toBe('failed');
    expect(clash.error).toMatchObject({ code: 'EQUIPMENT_UNAVAILABLE', nodeId: 'reserve' });

    const cycle = await runGraph(t, fullCycle, { equipment: 'press-7', from: '2031-05-01T10:00:00Z', until: '2031-05-01T11:00:00Z' });
    expect(cycle.status).toBe('completed');
    expect(cycle.output.finished).toMatchObject({ action: 'complete', state: 'completed', reservationId: cycle.output.reserved.reservationId });

    const backwards = line(
      'backwards',
      [op('reserve', 'reserve', { from: '2031-06-01T00:00:00Z', durationMinutes: 5 }), op('finish', 'complete', { reservationId: held })],
      {},
    );
    const refused = await runGraph(t, backwards, { equipment: 'press-7' });
    expect(refused.error).toMatchObject({ code: 'INVALID_EQUIPMENT_STATE', nodeId: 'finish' });

    const press = await t.api('GET', '/api/v1/equipment/press-7');
    expect(press.body.reservations.map((r: { state: string; startsAt: string }) => [r.startsAt, r.state])).toEqual([
      ['2031-05-01T08:00:00.000Z', 'reserved'],
      ['2031-05-01T10:00:00.000Z', 'completed'],
      ['2031-06-01T00:00:00.000Z', 'reserved'],
    ]);
    expect((await t.api('GET', '/api/v1/equipment')).body.items.map((e: { id: string }) => e.id)).toEqual(['press-7']);
    expect((await t.api('GET', '/api/v1/equipment/nope')).body.code).toBe('EQUIPMENT_NOT_FOUND');
  });
});

/**
 * The QUALITY_CHECK verdict and the validation of its specification: numeric limits and
 * tolerances with warn margins, allowed values, regexes (with the backtracking guard), JSONata
 * rules over `value` and `measurements`, and missing measurements.
 */
import { parseNodeProperties, SpecificationSchema, type Characteristic } from '../../../src/graph/node-types';
import { validateDefinition } from '../../../src/graph/validate';
import { describeFailures, evaluateQuality } from '../../../src/domain/quality-rules';

const spec = (list: unknown[]): Characteristic[] => SpecificationSchema.parse(list);

describe('evaluateQuality', () => {
  const thickness = { name: 'thickness', kind: 'numeric', target: 12, tolerance: 0.5, warnMargin: 0.1 };

  it('passes inside the limits, warns within the margin of one, fails outside', () => {
    expect(evaluateQuality(spec([thickness]), { thickness: 12.1 }).result).toBe('pass');
    const warn = evaluateQuality(spec([thickness]), { thickness: 12.45 });
    expect(warn.result).toBe('warn');
    expect(warn.characteristics[0]).toMatchObject({ result: 'warn', value: 12.45, message: '12.45 within 0.1 of max 12.5' });
    const fail = evaluateQuality(spec([thickness]), { thickness: 11.2 });
    expect(fail.result).toBe('fail');
    expect(describeFailures(fail)).toBe('thickness (11.2 below min 11.5)');
  });

  it('reads min and max, and numbers written as text', () => {
    const c = spec([{ name: 't', kind: 'numeric', min: 0, max: 10 }]);
    expect(evaluateQuality(c, { t: '7.5' }).result).toBe('pass');
    expect(evaluateQuality(c, { t: 'seven' }).characteristics[0]).toMatchObject({ result: 'fail', message: '"seven" is not a number' });
  });

  it('checks allowed values, regexes and rules; the overall result is the worst', () => {
    const list = spec([
      { name: 'colour', kind: 'allowed', allowed: ['red', 'green'] },
      { name: 'serial', kind: 'regex', pattern: '^SN-\\d{4}$' },
      { name: 'weight', kind: 'expression', rule: 'value <= measurements.limit * 2' },
      { name: 'finish', kind: 'expression', rule: 'value = "matte" ? "warn" : "pass"' },
    ]);
    const ok = evaluateQuality(list, { colour: 'red', serial: 'SN-0042', weight: 9, limit: 5, finish: 'gloss' });
    expect(ok.result).toBe('pass');
    const bad = evaluateQuality(list, { colour: 'blue', serial: 'SN-42', weight: 11, limit: 5, finish: 'matte' });
    expect(bad.result).toBe('fail');
    expect(bad.characteristics.map((c) => c.result)).toEqual(['fail', 'fail', 'fail', 'warn']);
    expect(describeFailures(bad)).toBe(
      'colour ("blue" not allowed); serial ("SN-42" does not match /^SN-\\d{4}$/); weight (rule value <= measurements.limit * 2 does not hold)',
    );
  });

  it('fails a missing required measurement and skips an optional one', () => {
    const list = spec([
      { name: 'a', kind: 'numeric', max: 1 },
      { name: 'b', kind: 'numeric', max: 1, required: false },
    ]);
    const verdict = evaluateQuality(list, { b: null });
    expect(verdict.characteristics).toEqual([
      { name: 'a', kind: 'numeric', result: 'fail', value: null, message: 'no measurement' },
      { name: 'b', kind: 'numeric', result: 'skipped', value: null, message: 'no measurement' },
    ]);
    expect(evaluateQuality(list, { a: 0.5 }).result).toBe('pass');
  });
});

describe('the QUALITY_CHECK specification', () => {
  const issuesOf = (properties: unknown) => {
    try {
      parseNodeProperties('QUALITY_CHECK', properties);
      return [];
    } catch (err) {
      return (err as { issues: { path: string; message: string }[] }).issues.map((i) => `${i.path} ${i.message}`);
    }
  };

  it('refuses characteristics that cannot be checked, naming the path', () => {
    const issues = issuesOf({
      measurements: '${input.m}',
      specification: [
        { name: 'a', kind: 'numeric' },
        { name: 'b', kind: 'regex', pattern: '(a+)+$' },
        { name: 'c', kind: 'expression', rule: 'value >' },
        { name: 'd', kind: 'allowed', allowed: [1], pattern: 'x' },
        { name: 'a', kind: 'numeric', tolerance: 1, max: 3 },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/specification\/0 a numeric characteristic needs/),
        expect.stringMatching(/^\/specification\/1\/pattern regular expression refused/),
        expect.stringMatching(/^\/specification\/2\/rule /),
        expect.stringMatching(/^\/specification\/3\/pattern "pattern" does not apply/),
        expect.stringMatching(/^\/specification\/4\/target tolerance needs a target/),
      ]),
    );
  });

  it('accepts a specification and measurements given as templates', () => {
    expect(issuesOf({ specification: '${vars.spec}', measurements: '${input.m}' })).toEqual([]);
    expect(issuesOf({ specification: 'not a template', measurements: {} })).not.toEqual([]);
  });

  it('validates a graph with the operation nodes, checking their templates', () => {
    const graph = {
      name: 'ops',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'qc', type: 'QUALITY_CHECK', properties: { specification: [{ name: 't', kind: 'numeric', max: 1 }], measurements: '${input.m' } },
        { id: 'take', type: 'MATERIAL_CONSUME', properties: { material: 'M', location: 'L', quantity: 0, unit: 'kg' } },
        { id: 'res', type: 'EQUIPMENT_OPERATION', properties: { equipmentId: 'press', action: 'start' } },
        { id: 'end', type: 'END' },
      ],
      edges: [
        { source: 'start', target: 'qc' },
        { source: 'qc', target: 'take' },
        { source: 'take', target: 'res' },
        { source: 'res', target: 'end' },
      ],
    };
    const result = validateDefinition(graph);
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['/nodes/1/properties/measurements', '/nodes/2/properties/quantity', '/nodes/3/properties/reservationId']));
  });
});

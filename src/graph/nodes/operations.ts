/**
 * The manufacturing operations QUALITY_CHECK, MATERIAL_CONSUME and EQUIPMENT_OPERATION, each one
 * activity (src/activities/operations/).
 */
import { z } from 'zod';
import { checkExpression } from '../expressions';
import { regexProblem } from '../regex-safety';
import { isTemplate } from '../templates';
import { commonSideEffectShape } from './side-effect';
import { renderedTemplates, spec } from './spec';

/** A string the interpreter renders before the activity runs (it then must yield the right type). */
const templateString = z.string().refine(isTemplate, 'must be a literal value or a template such as ${input.qty}');

/** Kinds of QUALITY_CHECK characteristics. */
export const CHARACTERISTIC_KINDS = ['numeric', 'allowed', 'regex', 'expression'] as const;

/** Which optional fields each characteristic kind reads; any other is an issue. */
const CHARACTERISTIC_FIELDS: Record<(typeof CHARACTERISTIC_KINDS)[number], readonly string[]> = {
  numeric: ['min', 'max', 'target', 'tolerance', 'warnMargin'],
  allowed: ['allowed'],
  regex: ['pattern'],
  expression: ['rule'],
};

/**
 * One characteristic of a QUALITY_CHECK specification, checked against the measurement of the
 * same `name`: `numeric` limits (`min`/`max`, or `target` ± `tolerance`, warn within
 * `warnMargin` of a limit), `allowed` values, a `regex` `pattern`, or an `expression` `rule`
 * (JSONata over `value` and `measurements`).
 */
export const CharacteristicSchema = z
  .strictObject({
    name: z.string().min(1),
    kind: z.enum(CHARACTERISTIC_KINDS),
    min: z.number().optional(),
    max: z.number().optional(),
    target: z.number().optional(),
    tolerance: z.number().min(0).optional(),
    warnMargin: z.number().min(0).optional(),
    allowed: z.array(z.unknown()).min(1).optional(),
    pattern: z.string().min(1).optional(),
    rule: z.string().min(1).optional(),
    /** A missing measurement fails the characteristic (true) or skips it (false). */
    required: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    for (const key of ['min', 'max', 'target', 'tolerance', 'warnMargin', 'allowed', 'pattern', 'rule'] as const) {
      if (c[key] !== undefined && !CHARACTERISTIC_FIELDS[c.kind].includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" does not apply to a ${c.kind} characteristic` });
      }
    }
    if (c.kind === 'numeric') {
      if (c.tolerance !== undefined && c.target === undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: 'tolerance needs a target' });
      if (c.min === undefined && c.max === undefined && (c.target === undefined || c.tolerance === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'a numeric characteristic needs min, max, or target with tolerance' });
      }
      if (c.min !== undefined && c.max !== undefined && c.min > c.max) ctx.addIssue({ code: 'custom', path: ['max'], message: 'max is below min' });
    }
    if (c.kind === 'allowed' && c.allowed === undefined)
      ctx.addIssue({ code: 'custom', path: ['allowed'], message: 'an allowed characteristic needs "allowed"' });
    if (c.kind === 'regex') {
      if (c.pattern === undefined) {
        ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'a regex characteristic needs "pattern"' });
      } else {
        const problem = regexProblem(c.pattern);
        if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: problem });
      }
    }
    if (c.kind === 'expression') {
      if (c.rule === undefined) {
        ctx.addIssue({ code: 'custom', path: ['rule'], message: 'an expression characteristic needs "rule"' });
      } else if (!isTemplate(c.rule)) {
        const problem = checkExpression(c.rule);
        if (problem) ctx.addIssue({ code: 'custom', path: ['rule'], message: problem.message });
      }
    }
  });

/** A parsed characteristic (`required` defaulted). */
export type Characteristic = z.output<typeof CharacteristicSchema>;

// Kept exported from here: QUALITY_CHECK's rules (services/quality-rules.ts) import it with the schema.
export { regexProblem };

/** A QUALITY_CHECK specification: characteristics with distinct names. */
export const SpecificationSchema = z
  .array(CharacteristicSchema)
  .min(1)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `characteristic "${c.name}" is listed twice` });
      seen.add(c.name);
    });
  });

/**
 * QUALITY_CHECK: `specification` (characteristics, or a template yielding them) checked against
 * `measurements` (name → value, usually `${input.measurements}`).
 */
export const QualityCheckPropertiesSchema = z.strictObject({
  specification: z.union([SpecificationSchema, templateString]),
  measurements: z.union([z.record(z.string(), z.unknown()), templateString]),
  ...commonSideEffectShape,
});

/**
 * MATERIAL_CONSUME: takes `quantity` (> 0, in `unit`) of `material` from `lot` (or the oldest
 * lot at `location` with enough stock) in the inventory ledger, once per node run.
 */
export const MaterialConsumePropertiesSchema = z.strictObject({
  material: z.string().min(1),
  lot: z.string().min(1).optional(),
  location: z.string().min(1),
  quantity: z.union([z.number().positive(), templateString]),
  unit: z.string().min(1),
  ...commonSideEffectShape,
});

/** What EQUIPMENT_OPERATION does to a reservation. */
export const EQUIPMENT_ACTIONS = ['reserve', 'start', 'complete', 'release'] as const;

const timestampOrTemplate = z.string().refine((s) => isTemplate(s) || !Number.isNaN(Date.parse(s)), 'must be an ISO timestamp or a template');

/**
 * EQUIPMENT_OPERATION: `reserve` a window of `equipmentId` (`from`, default now, until `until` or
 * for `durationMinutes`), or `start`, `complete` or `release` the reservation `reservationId`.
 */
export const EquipmentOperationPropertiesSchema = z
  .strictObject({
    equipmentId: z.string().min(1),
    action: z.enum(EQUIPMENT_ACTIONS),
    from: timestampOrTemplate.optional(),
    until: timestampOrTemplate.optional(),
    durationMinutes: z.union([z.number().positive(), templateString]).optional(),
    reservationId: z.string().min(1).optional(),
    ...commonSideEffectShape,
  })
  .superRefine((p, ctx) => {
    if (p.action === 'reserve') {
      if ((p.until === undefined) === (p.durationMinutes === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'reserve needs exactly one of "until" or "durationMinutes"' });
      }
      if (p.reservationId !== undefined) ctx.addIssue({ code: 'custom', path: ['reservationId'], message: 'reserve makes a new reservation' });
    } else {
      if (p.reservationId === undefined) ctx.addIssue({ code: 'custom', path: ['reservationId'], message: `${p.action} needs "reservationId"` });
      for (const key of ['from', 'until', 'durationMinutes'] as const) {
        if (p[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is for reserve only` });
      }
    }
  });

export type QualityCheckProperties = z.output<typeof QualityCheckPropertiesSchema>;
export type MaterialConsumeProperties = z.output<typeof MaterialConsumePropertiesSchema>;
export type EquipmentOperationProperties = z.output<typeof EquipmentOperationPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const operationNodes = {
  QUALITY_CHECK: spec({
    type: 'QUALITY_CHECK',
    propertiesSchema: QualityCheckPropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'qualityCheck',
    expressionFields: renderedTemplates,
  }),
  MATERIAL_CONSUME: spec({
    type: 'MATERIAL_CONSUME',
    propertiesSchema: MaterialConsumePropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'materialConsume',
    expressionFields: renderedTemplates,
  }),
  EQUIPMENT_OPERATION: spec({
    type: 'EQUIPMENT_OPERATION',
    propertiesSchema: EquipmentOperationPropertiesSchema,
    ports: [],
    sideEffect: true,
    activity: 'equipmentOperation',
    expressionFields: renderedTemplates,
  }),
} as const;

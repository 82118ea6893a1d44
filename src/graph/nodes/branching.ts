/**
 * IF_THEN_ELSE and SWITCH: the walk goes on by the port a condition or an expression chooses.
 */
import { z } from 'zod';
import { expression, field, spec } from './spec';

/** IF_THEN_ELSE: `condition`, an expression; leaves by port `true` or `false`. */
export const IfThenElsePropertiesSchema = z.strictObject({ condition: expression });
/** SWITCH: `expression`; leaves by the port named as its value, else `default`. */
export const SwitchPropertiesSchema = z.strictObject({ expression });

export type IfThenElseProperties = z.output<typeof IfThenElsePropertiesSchema>;
export type SwitchProperties = z.output<typeof SwitchPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const branchingNodes = {
  IF_THEN_ELSE: spec({
    type: 'IF_THEN_ELSE',
    propertiesSchema: IfThenElsePropertiesSchema,
    ports: ['true', 'false'],
    sideEffect: false,
    expressionFields: (p) => field(p, 'condition', 'expression'),
  }),
  SWITCH: spec({
    type: 'SWITCH',
    propertiesSchema: SwitchPropertiesSchema,
    ports: 'any',
    sideEffect: false,
    expressionFields: (p) => field(p, 'expression', 'expression'),
  }),
} as const;

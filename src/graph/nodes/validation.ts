/**
 * VALIDATION: checks data against a JSON Schema and leaves by `valid` or `invalid` (the schema
 * and the check are in ../validation-node.ts).
 */
import { ValidationPropertiesSchema } from '../validation-node';
import { field, spec } from './spec';

export { ValidationPropertiesSchema };

/** The registry entries of this family (assembled in node-types.ts). */
export const validationNodes = {
  VALIDATION: spec({
    type: 'VALIDATION',
    propertiesSchema: ValidationPropertiesSchema,
    ports: ['valid', 'invalid'],
    portOptional: true,
    sideEffect: false,
    expressionFields: (p) => field(p, 'data', 'expression'),
  }),
} as const;

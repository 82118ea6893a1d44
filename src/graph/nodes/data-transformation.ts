/**
 * DATA_TRANSFORMATION: variable assignments and the map, rename, calculate, format and merge
 * operations (see ../transformations.ts).
 */
import { z } from 'zod';
import { isPlainObject } from '../json';
import { VARIABLE_NAME_PATTERN } from '../schema';
import { operationExpressionFields, TransformationOperationsSchema } from '../transformations';
import { expression, mapFields, spec } from './spec';

/**
 * DATA_TRANSFORMATION: `assign`, variable → expression, evaluated in order, each seeing the
 * previous; then `operations` (map, rename, calculate, format, merge: see transformations.ts).
 */
export const DataTransformationPropertiesSchema = z
  .strictObject({
    assign: z
      .record(z.string().regex(VARIABLE_NAME_PATTERN, 'Variable names must start with a letter or _ and contain only letters, digits, _ and -'), expression)
      .refine((assign) => Object.keys(assign).length > 0, 'assign needs at least one variable')
      .optional(),
    operations: TransformationOperationsSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.assign === undefined && p.operations === undefined) {
      ctx.addIssue({ code: 'custom', path: ['assign'], message: 'DATA_TRANSFORMATION needs "assign", "operations" or both' });
    }
  });

export type DataTransformationProperties = z.output<typeof DataTransformationPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const dataTransformationNodes = {
  DATA_TRANSFORMATION: spec({
    type: 'DATA_TRANSFORMATION',
    propertiesSchema: DataTransformationPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: (p) => [...mapFields(p, 'assign', 'expression'), ...operationExpressionFields(isPlainObject(p) ? p.operations : undefined)],
  }),
} as const;

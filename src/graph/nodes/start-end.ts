/**
 * START and END: where a walk begins (its output is the input) and where it ends (its output
 * is the execution's).
 */
import { z } from 'zod';
import { expression, mapFields, spec } from './spec';

/** START: no properties. */
export const StartPropertiesSchema = z.strictObject({});
/** END: `output`, each value an expression (absent: the output is `vars`). */
export const EndPropertiesSchema = z.strictObject({
  output: z.record(z.string().min(1), expression).optional(),
});

export type StartProperties = z.output<typeof StartPropertiesSchema>;
export type EndProperties = z.output<typeof EndPropertiesSchema>;

/** The registry entries of this family (assembled in node-types.ts). */
export const startEndNodes = {
  START: spec({
    type: 'START',
    propertiesSchema: StartPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: () => [],
  }),
  END: spec({
    type: 'END',
    propertiesSchema: EndPropertiesSchema,
    ports: [],
    sideEffect: false,
    expressionFields: (p) => mapFields(p, 'output', 'expression'),
  }),
} as const;

/** VALIDATION (schema and check: src/graph/validation-node.ts, spec: src/graph/nodes/validation.ts). */
import { evaluateExpression } from '../../graph/expressions';
import { parseNodeProperties } from '../../graph/node-types';
import { runValidation } from '../../graph/validation-node';
import { toPlain, type Step } from './step';

/** Checks `data` against the schema; leaves by `valid` or `invalid` (or without a port when `valid` has no edge). */
export const validation: Step<'VALIDATION'> = async ({ host, node, props, frame }) => {
  const parsed = parseNodeProperties('VALIDATION', props);
  const data = toPlain(evaluateExpression(parsed.data, host.context(frame)));
  return { ...runValidation(parsed, data, host.hasPort(node.id, 'valid')), attempts: 1 };
};

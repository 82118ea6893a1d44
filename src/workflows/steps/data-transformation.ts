/** DATA_TRANSFORMATION (schema: src/graph/nodes/data-transformation.ts; operations: src/graph/transformations.ts). */
import { evaluateExpression } from '../../graph/expressions';
import { parseNodeProperties } from '../../graph/node-types';
import { applyOperations } from '../../graph/transformations';
import type { Frame } from '../walker';
import { toPlain, type Step, type StepHost } from './step';

/** Assigns variables in order, each seeing the previous, then applies the operations. */
export const dataTransformation: Step<'DATA_TRANSFORMATION'> = async ({ host, props, frame }) => {
  const assigned = props.assign === undefined ? {} : assign(host, props.assign as Record<string, string>, frame);
  if (props.operations === undefined) return { output: assigned, attempts: 1 };
  const { operations = [] } = parseNodeProperties('DATA_TRANSFORMATION', props);
  const results = applyOperations(
    operations,
    () => host.context(frame),
    (name, value) => host.assignVariables({ [name]: value }),
  );
  return { output: { ...assigned, ...results }, attempts: 1 };
};

function assign(host: StepHost, spec: Record<string, string>, frame: Frame): Record<string, unknown> {
  const assigned: Record<string, unknown> = {};
  for (const [name, expr] of Object.entries(spec)) {
    const value = toPlain(evaluateExpression(expr, host.context(frame)));
    host.assignVariables({ [name]: value });
    assigned[name] = value;
  }
  return assigned;
}

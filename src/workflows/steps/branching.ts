/** IF_THEN_ELSE and SWITCH (schema: src/graph/nodes/branching.ts). */
import { evaluateBoolean, evaluateExpression } from '../../graph/expressions';
import { toPlain, type Step } from './step';

/** Leaves by port `true` or `false`. */
export const ifThenElse: Step<'IF_THEN_ELSE'> = async ({ host, props, frame }) => {
  const result = evaluateBoolean(props.condition as string, host.context(frame));
  return { output: { result }, port: result ? 'true' : 'false', attempts: 1 };
};

/** Leaves by the port named as the expression's value, else `default`. */
export const switchStep: Step<'SWITCH'> = async ({ host, node, props, frame }) => {
  const value = toPlain(evaluateExpression(props.expression as string, host.context(frame)));
  const port = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  return { output: { value }, port: host.hasPort(node.id, port) ? port : 'default', attempts: 1 };
};

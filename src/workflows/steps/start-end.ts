/** START and END (schema: src/graph/nodes/start-end.ts). */
import { evaluateExpression } from '../../graph/expressions';
import type { Frame } from '../walker';
import { toPlain, type Step, type StepHost } from './step';

/** START: its output is the execution's input. */
export const start: Step<'START'> = async ({ host }) => ({ output: host.args.input ?? null, attempts: 1 });

/** END: its output is the execution's: `output`'s expressions, or the variables. */
export const end: Step<'END'> = async ({ host, props, frame }) => ({
  output: endOutput(host, props.output as Record<string, string> | undefined, frame),
  attempts: 1,
});

function endOutput(host: StepHost, spec: Record<string, string> | undefined, frame: Frame): unknown {
  if (!spec) return { ...host.variables() };
  const out: Record<string, unknown> = {};
  for (const [key, expr] of Object.entries(spec)) out[key] = toPlain(evaluateExpression(expr, host.context(frame)));
  return out;
}

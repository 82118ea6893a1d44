/**
 * Workflows that exercise the expression engine inside Temporal's workflow sandbox; run by
 * sandbox-replay.test.ts through replays of histories in which they completed (no server
 * needed). A wrong result throws DeterminismViolationError, the failure a replay reports.
 */
import { DeterminismViolationError } from '@temporalio/workflow';
import { evaluateExpression, type ExpressionContext, renderTemplate, validateDefinition } from '../../../src/graph';

function contextWith(items: number): ExpressionContext {
  return {
    input: { items: Array.from({ length: items }, (_, i) => ({ sku: `s${i}`, price: i, qty: 2 })) },
    vars: {},
    nodes: {},
    execution: { id: 'a', workflowId: 'b', version: '1.0.0', startedAt: '2024-01-01T00:00:00Z' },
  };
}

/** What an evaluation ended with: its value, or the limit (else the message) it failed with. */
function outcome(source: string, context: ExpressionContext): { value: unknown } | { code: unknown; limit: unknown } {
  try {
    return { value: evaluateExpression(source, context) };
  } catch (err) {
    const { code, message, details } = err as { code?: unknown; message?: unknown; details?: { limit?: unknown } };
    return { code, limit: details?.limit ?? message };
  }
}

/** The engine's results inside the sandbox, with the default limits (50,000 steps, depth 100). */
export async function expressionProbe(): Promise<void> {
  const context = contextWith(400);
  const results = [
    evaluateExpression('$sum(input.items.(price * qty))', context),
    renderTemplate('n=${1 + 1}', context),
    validateDefinition({ name: 'x', nodes: [] }).ok,
    evaluateExpression('$count($keys(input.items{sku: $sum(price)}))', context),
    evaluateExpression('$sort([3, 1, 2])', context),
    evaluateExpression('$map(["abc", "de"], $substring(?, 0, 2))', context),
    outcome('($f := function($x){ $f($x) }; $f(1))', context),
    outcome('($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))', context),
    outcome('$pad("", 100000000)', context),
    outcome('$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)', context),
  ];
  const expected = [
    159600,
    'n=2',
    false,
    400,
    [1, 2, 3],
    ['ab', 'de'],
    { code: 'EXPRESSION_ERROR', limit: 'maxSteps' },
    { code: 'EXPRESSION_ERROR', limit: 'maxDepth' },
    { code: 'EXPRESSION_ERROR', limit: 'maxStringLength' },
    {
      code: 'EXPRESSION_ERROR',
      limit: 'Regular expression /(a+)+$/ refused: a repeated group contains a quantifier (nested quantifiers such as (a+)+ can backtrack catastrophically)',
    },
  ];
  if (JSON.stringify(results) !== JSON.stringify(expected)) {
    throw new DeterminismViolationError(`PROBE MISMATCH ${JSON.stringify(results)}`);
  }
}

/** One evaluation to time from outside the sandbox (the clock inside stands still). */
export interface TimedEvaluation {
  source: string;
  /** Items `{ sku, price: i, qty: 2 }` in `input.items`. */
  items: number;
  /** What the evaluation must end with (see {@link outcome}). */
  expected: unknown;
}

/** Evaluates once and checks the outcome; the test times the replay of this workflow. */
export async function timedEvaluation(spec: TimedEvaluation): Promise<void> {
  const result = outcome(spec.source, contextWith(spec.items));
  if (JSON.stringify(result) !== JSON.stringify(spec.expected)) {
    throw new DeterminismViolationError(`TIMED MISMATCH ${spec.source}: ${JSON.stringify(result)}`);
  }
}

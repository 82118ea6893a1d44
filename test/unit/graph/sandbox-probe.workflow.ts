/**
 * A workflow that exercises the expression engine inside Temporal's workflow sandbox; run by
 * sandbox-replay.test.ts through a replay of a history in which it completed (no server
 * needed). A wrong result throws DeterminismViolationError, the failure a replay reports.
 */
import { DeterminismViolationError } from '@temporalio/workflow';
import { evaluateExpression, renderTemplate, validateDefinition } from '../../../src/graph';

const context = {
  input: { items: Array.from({ length: 400 }, (_, i) => ({ sku: `s${i}`, price: i, qty: 2 })) },
  vars: {},
  nodes: {},
  execution: { id: 'a', workflowId: 'b', version: '1.0.0', startedAt: '2024-01-01T00:00:00Z' },
};

async function limitHit(source: string): Promise<string> {
  try {
    // Low limits: every promise costs a captured stack trace in the sandbox, so a step is ~100x dearer than in Node.
    await evaluateExpression(source, context, { maxSteps: 2_000 });
    return 'no error';
  } catch (err) {
    const details = (err as { details?: { limit?: unknown } }).details;
    return typeof details?.limit === 'string' ? details.limit : String((err as Error).message);
  }
}

export async function expressionProbe(): Promise<void> {
  const results = [
    await evaluateExpression('$sum(input.items.(price * qty))', context),
    await renderTemplate('n=${1 + 1}', context),
    validateDefinition({ name: 'x', nodes: [] }).ok,
    await evaluateExpression('$count($keys(input.items{sku: $sum(price)}))', context),
    await evaluateExpression('$sort([3, 1, 2])', context),
    await limitHit('($f := function($x){ $f($x) }; $f(1))'),
    await limitHit('($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))'),
    await limitHit('$pad("", 100000000)'),
  ];
  const expected = [159600, 'n=2', false, 400, [1, 2, 3], 'maxSteps', 'maxDepth', 'maxStringLength'];
  if (JSON.stringify(results) !== JSON.stringify(expected)) {
    throw new DeterminismViolationError(`PROBE MISMATCH ${JSON.stringify(results)}`);
  }
}

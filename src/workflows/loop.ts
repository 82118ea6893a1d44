import { CancellationScope } from '@temporalio/workflow';
import { WeftError } from '../graph/errors';
import { evaluateBoolean, evaluateExpression } from '../graph/expressions';
import type { LoopProperties } from '../graph/node-types';
import type { GraphNode } from '../graph/schema';
import { lastOutputOf, type Frame, type Walker } from './walker';

export interface LoopOutcome {
  output: { results: unknown[]; count: number };
  port: 'done';
}

function itemsOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  // JSONata yields a single value where a one-item sequence was selected.
  return Array.isArray(value) ? value : [value];
}

/**
 * Runs a LOOP node: each iteration walks from the `body` edge back to the LOOP node with
 * `loop: { item, index, count }` in the expression context; results are collected in order.
 * Iterations of an `items` loop may run `concurrency` at a time; a failing iteration cancels
 * the others and fails the LOOP.
 */
export async function runLoop(walker: Walker, node: GraphNode, props: LoopProperties, frame: Frame): Promise<LoopOutcome> {
  const iterate = async (loop: NonNullable<Frame['loop']>): Promise<unknown> => {
    const iterationFrame: Frame = { ...frame, loop };
    const [body] = walker.matchingEdges(node.id, 'body', iterationFrame);
    const start = body && walker.node(body.target);
    if (!start) throw new WeftError('NO_MATCHING_BRANCH', `LOOP ${node.id}: no body edge holds for iteration ${loop.index}`);
    const result = await walker.walkFrom(start, node.id, iterationFrame);
    return props.collect ? evaluateExpression(props.collect, walker.context(iterationFrame)) : lastOutputOf(result);
  };

  const results: unknown[] = [];
  if (props.items !== undefined) {
    const items = itemsOf(evaluateExpression(props.items, walker.context(frame)));
    if (items.length > props.maxIterations) {
      throw new WeftError('LOOP_LIMIT_EXCEEDED', `LOOP ${node.id}: ${items.length} items exceed maxIterations ${props.maxIterations}`);
    }
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await iterate({ item: items[index], index, count: items.length });
      }
    };
    const scope = new CancellationScope();
    const workers = Array.from({ length: Math.min(props.concurrency, items.length) }, () => scope.run(worker));
    try {
      await Promise.all(workers);
    } catch (err) {
      scope.cancel(); // the other iterations stop at their next timer or activity
      await Promise.allSettled(workers);
      throw err;
    }
  } else {
    const condition = props.while as string;
    for (let index = 0; evaluateBoolean(condition, walker.context({ ...frame, loop: { item: null, index, count: null } })); index++) {
      if (index >= props.maxIterations) {
        throw new WeftError('LOOP_LIMIT_EXCEEDED', `LOOP ${node.id}: still true after maxIterations ${props.maxIterations}`);
      }
      results.push(await iterate({ item: null, index, count: null }));
    }
  }
  return { output: { results, count: results.length }, port: 'done' };
}

import { CancellationScope } from '@temporalio/workflow';
import { WeftError } from '../../graph/errors';
import { evaluateBoolean, evaluateExpression } from '../../graph/expressions';
import { parseNodeProperties, type LoopProperties } from '../../graph/node-types';
import type { GraphNode } from '../../graph/schema';
import type { LoopSlice } from '../types';
import { OutputsInItemOrder } from '../node-scopes';
import { handBack, innerFrame, lastOutputOf, type Frame, type Walker } from '../walker';
import type { Step, StepHost } from './step';

export interface LoopOutcome {
  output: { results: unknown[]; count: number };
  port: 'done';
}

/** Iterations beyond `batchSize` run in child workflows; the interpreter provides this. */
export interface LoopBatcher {
  /**
   * Runs iterations from `offset` in child workflows of `batchSize` each, appending to
   * `results`; undefined when batching is off for this execution (an older history).
   */
  runBatches(
    node: GraphNode,
    props: LoopProperties,
    frame: Frame,
    from: Omit<LoopSlice, 'limit'> & { allItems?: unknown[] },
    results: unknown[],
  ): Promise<void> | undefined;
}

/** What the LOOP step needs of the run besides what every step has. */
export interface LoopStepHost extends StepHost {
  /** Runs a long LOOP's iterations in batch children; `loopRun` is how often that LOOP ran before. */
  loopBatcher(loopRun: number): LoopBatcher;
}

function itemsOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  // JSONata yields a single value where a one-item sequence was selected.
  return Array.isArray(value) ? value : [value];
}

/**
 * Runs the iterations of one slice in this workflow and appends their results to `results`.
 * Returns true when the loop is finished (a `while` condition turned false, or items ran out).
 */
export async function runIterations(
  walker: Walker,
  node: GraphNode,
  props: LoopProperties,
  frame: Frame,
  slice: LoopSlice,
  results: unknown[],
): Promise<boolean> {
  // A sequential loop hands each iteration's outputs on when it ends: the next iteration and the
  // `while` condition read them. Concurrent iterations keep theirs until all have ended, then
  // hand them on in item order, so none reads another's and the last item's outputs win.
  const sequential = slice.items === undefined || props.concurrency === 1;
  const finished = new OutputsInItemOrder();
  const iterate = async (loop: NonNullable<Frame['loop']>): Promise<unknown> => {
    const iterationFrame = innerFrame(walker, frame, loop);
    try {
      const [body] = walker.matchingEdges(node.id, 'body', iterationFrame);
      const start = body && walker.node(body.target);
      if (!start) throw new WeftError('NO_MATCHING_BRANCH', `LOOP ${node.id}: no body edge holds for iteration ${loop.index}`);
      const result = await walker.walkFrom(start, node.id, iterationFrame);
      return props.collect ? evaluateExpression(props.collect, walker.context(iterationFrame)) : lastOutputOf(result);
    } finally {
      const written = iterationFrame.nodes?.written();
      if (sequential) handBack(walker, frame, [written]);
      else finished.add(loop.index, written);
    }
  };

  if (slice.items !== undefined) {
    const items = slice.items;
    const base = results.length;
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const at = next++;
        results[base + at] = await iterate({ item: items[at], index: slice.offset + at, count: slice.count });
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
    } finally {
      handBack(walker, frame, [finished.outputs()]);
    }
    return true;
  }
  const condition = props.while as string;
  const end = slice.offset + slice.limit;
  for (let index = slice.offset; evaluateBoolean(condition, walker.context({ ...frame, loop: { item: null, index, count: null } })); index++) {
    if (index >= props.maxIterations) {
      throw new WeftError('LOOP_LIMIT_EXCEEDED', `LOOP ${node.id}: still true after maxIterations ${props.maxIterations}`);
    }
    if (index >= end) return false;
    results.push(await iterate({ item: null, index, count: null }));
  }
  return true;
}

/**
 * Runs a LOOP node: each iteration walks from the `body` edge back to the LOOP node with
 * `loop: { item, index, count }` in the expression context; results are collected in order.
 * Iterations of an `items` loop may run `concurrency` at a time; a failing iteration cancels
 * the others and fails the LOOP. Beyond `batchSize` iterations, `batcher` runs them in child
 * workflows so that no run's history grows with the loop.
 */
export async function runLoop(walker: Walker, node: GraphNode, props: LoopProperties, frame: Frame, batcher?: LoopBatcher): Promise<LoopOutcome> {
  const results: unknown[] = [];
  const done = (): LoopOutcome => ({ output: { results, count: results.length }, port: 'done' });
  if (props.items !== undefined) {
    const items = itemsOf(evaluateExpression(props.items, walker.context(frame)));
    if (items.length > props.maxIterations) {
      throw new WeftError('LOOP_LIMIT_EXCEEDED', `LOOP ${node.id}: ${items.length} items exceed maxIterations ${props.maxIterations}`);
    }
    const batched =
      items.length > props.batchSize ? batcher?.runBatches(node, props, frame, { offset: 0, count: items.length, allItems: items }, results) : undefined;
    if (batched) await batched;
    else await runIterations(walker, node, props, frame, { offset: 0, limit: items.length, items, count: items.length }, results);
    return done();
  }
  // A `while` loop's length is known only as it goes: the first batch runs here, later ones in children.
  const finished = await runIterations(walker, node, props, frame, { offset: 0, limit: batcher ? props.batchSize : Infinity, count: null }, results);
  if (finished) return done();
  const batched = batcher?.runBatches(node, props, frame, { offset: results.length, count: null }, results);
  if (batched) await batched;
  else await runIterations(walker, node, props, frame, { offset: results.length, limit: Infinity, count: null }, results);
  return done();
}

/** The LOOP step (schema: src/graph/nodes/loop.ts): leaves by port `done` with the results in order. */
export const loop: Step<'LOOP', LoopStepHost> = async ({ host, node, props, iteration, frame }) => ({
  ...(await runLoop(host, node, parseNodeProperties('LOOP', props), frame, host.samples ? undefined : host.loopBatcher(iteration))),
  attempts: 1,
});

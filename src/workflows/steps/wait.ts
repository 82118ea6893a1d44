/** WAIT (schema: src/graph/nodes/wait.ts): a durable timer. */
import { patched, sleep } from '@temporalio/workflow';
import { parseDuration } from '../../graph/duration';
import { WeftError } from '../../graph/errors';
import { evaluateExpression } from '../../graph/expressions';
import type { GraphNode } from '../../graph/schema';
import { waitInState } from '../state-timeouts';
import type { Frame } from '../walker';
import type { Step, StepHost } from './step';

/** patched() id of a WAIT `until` a past instant starting no timer (see wait). */
const WAIT_PAST_UNTIL_PATCH = 'weft-wait-past-until';

/** Waits `duration`, or until the instant `until` gives; the instance shows `waiting` meanwhile. */
export const wait: Step<'WAIT'> = async ({ host, node, props, frame }) => ({ output: await waitFor(host, node, props, frame), attempts: 1 });

async function waitFor(host: StepHost, node: GraphNode, props: Record<string, unknown>, frame: Frame): Promise<{ waitedMs: number; waited: boolean }> {
  let ms: number;
  if (typeof props.duration === 'string') {
    ms = parseDuration(props.duration);
  } else {
    const until = evaluateExpression(props.until as string, host.context(frame));
    const at = typeof until === 'number' ? until : Date.parse(String(until));
    if (Number.isNaN(at)) throw new WeftError('EXPRESSION_ERROR', `WAIT until: ${JSON.stringify(until)} is not a timestamp`);
    ms = Math.max(0, at - Date.now());
    // An instant already past needs no timer ("in the past = no wait"); executions recorded
    // before started one anyway (about a second on the server) and must replay that way.
    if (ms === 0 && patched(WAIT_PAST_UNTIL_PATCH)) return { waitedMs: 0, waited: false };
  }
  if (host.samples) return { waitedMs: 0, waited: false }; // a simulation shows the path, it does not wait for it
  const begun = Date.now();
  // Several branches may wait at once: the instance runs again when the last wait ends.
  host.enterWait();
  try {
    await waitInState(host, node, () => sleep(ms));
  } finally {
    host.leaveWait();
  }
  return { waitedMs: Date.now() - begun, waited: true };
}

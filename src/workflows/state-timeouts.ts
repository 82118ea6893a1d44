/**
 * State timeouts (001 "Timeout and Escalation Handling"): while an instance waits in a state
 * (a node whose triggered edges wait for `advance`, or a WAIT) longer than
 * `settings.stateTimeouts[<node id> | "*"].after`, its rules run in order, each after its own
 * `delay`: `notify` runs a NOTIFICATION node alone, `escalate` marks the instance `escalated`
 * (it keeps waiting; the end of the wait makes it `running` again), `cancel` ends the execution
 * as cancelled with the reason STATE_TIMEOUT. All clocks are durable workflow timers.
 *
 * The other waiting nodes, EVENT_SUBSCRIBER and APPROVAL, get the same rules by wrapping their wait
 * in {@link waitInState}.
 */
import { CancellationScope, CancelledFailure, isCancellation, patched, sleep } from '@temporalio/workflow';
import { parseDuration } from '../graph/duration';
import type { GraphNode } from '../graph/schema';
import { ANY_STATE, type StateTimeout, type StateTimeoutAction } from '../graph/state-timeout-schema';
import { NodeFailed } from './node-errors';
import type { NodeErrorInfo } from './types';
import type { Frame } from './walker';

/** patched() id: executions recorded before state timeouts existed start no timer when they wait. */
export const STATE_TIMEOUT_PATCH = 'weft-state-timeouts';

/** patched() id: the same for APPROVAL waits, which took state timeouts later (a `"*"` rule reached them). */
export const APPROVAL_STATE_TIMEOUT_PATCH = 'weft-approval-state-timeouts';

/** What a NOTIFICATION run by a notify rule sees as `stateTimeout` in its templates. */
export interface StateTimeoutContext {
  nodeId: string;
  after: string;
  waitedMs: number;
  message: string | null;
  target: string | null;
}

/** What the interpreter gives the state timer. */
export interface StateTimeoutHost {
  /** The rules for waiting in `nodeId` (its own entry, else the `"*"` entry), if any. */
  stateTimeout(nodeId: string): StateTimeout | undefined;
  node(id: string): GraphNode | undefined;
  /** Runs one node alone, outside the walk; throws NodeFailed when it fails for good. */
  runDetached(node: GraphNode, frame: Frame): Promise<unknown>;
  /** Shows the instance as escalated (status, search attribute, execution row) or running again. */
  setEscalated(escalated: boolean, details: Record<string, unknown>): Promise<void>;
  /** Adds a fired rule to the trace. */
  recordStateTimeout(nodeId: string, output: Record<string, unknown>): void;
  /** Set by a cancel rule: the reason the execution records when it ends cancelled. */
  cancelledBy: NodeErrorInfo | null;
}

/** Looks up the rules of a state: its own entry, else the catch-all one. */
export function stateTimeoutFor(timeouts: Record<string, StateTimeout> | undefined, nodeId: string): StateTimeout | undefined {
  return timeouts?.[nodeId] ?? timeouts?.[ANY_STATE];
}

/**
 * Runs `wait` (the waiting of `state`) under the state's time limit. Without rules for the
 * state it is just `wait()`, with no extra command in the history.
 */
export async function waitInState<T>(host: StateTimeoutHost, state: GraphNode, wait: () => Promise<T>): Promise<T> {
  const spec = host.stateTimeout(state.id);
  if (!spec || !patched(STATE_TIMEOUT_PATCH)) return wait();
  const waiting = new CancellationScope();
  const watcher = new CancellationScope();
  const begun = Date.now();
  let escalated = false;
  let cancelled = false;

  const fire = async (action: StateTimeoutAction): Promise<void> => {
    const base = { rule: action.type, after: spec.after, waitedMs: Date.now() - begun, ...(action.target ? { target: action.target } : {}) };
    const recorded = { ...base, ...(action.message !== undefined ? { message: action.message } : {}) };
    switch (action.type) {
      case 'notify': {
        const notify = host.node(action.target as string) as GraphNode; // validated: a NOTIFICATION
        const stateTimeout: StateTimeoutContext = {
          nodeId: state.id,
          after: spec.after,
          waitedMs: base.waitedMs,
          message: action.message ?? null,
          target: action.target ?? null,
        };
        host.recordStateTimeout(state.id, recorded);
        try {
          await host.runDetached(notify, { scope: { stateTimeout } });
        } catch (err) {
          // A notification that cannot be delivered is in the trace; the state keeps waiting.
          if (isCancellation(err) || !(err instanceof NodeFailed)) throw err;
        }
        return;
      }
      case 'escalate':
        host.recordStateTimeout(state.id, recorded);
        if (!escalated) {
          escalated = true;
          // Not cancellable: the end of the wait must not race this write with its own.
          await CancellationScope.nonCancellable(() => host.setEscalated(true, { nodeId: state.id, ...recorded }));
        }
        return;
      case 'cancel':
        host.recordStateTimeout(state.id, recorded);
        host.cancelledBy = {
          code: 'STATE_TIMEOUT',
          message: action.message ?? `waited in ${state.id} longer than ${spec.after}; cancelled by its state timeout`,
          nodeId: state.id,
        };
        cancelled = true;
        waiting.cancel();
        return;
    }
  };

  const watch = watcher
    .run(async () => {
      await sleep(parseDuration(spec.after));
      for (const action of spec.actions) {
        if (action.delay) await sleep(parseDuration(action.delay));
        await fire(action);
        if (cancelled) return;
      }
    })
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err; // a bug: fail the workflow task, not the execution
    });

  let result: T;
  try {
    result = await waiting.run(wait);
  } catch (err) {
    watcher.cancel();
    await watch;
    if (cancelled && isCancellation(err)) throw new CancelledFailure(host.cancelledBy?.message ?? 'state timeout');
    throw err;
  }
  watcher.cancel();
  await watch;
  if (escalated) await host.setEscalated(false, { nodeId: state.id, waitedMs: Date.now() - begun });
  return result;
}

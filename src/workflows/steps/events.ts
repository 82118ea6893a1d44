import { CancellationScope, condition, isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { WeftActivities } from '../../activities';
import { parseDuration } from '../../graph/duration';
import { WeftError } from '../../graph/errors';
import { evaluateExpression } from '../../graph/expressions';
import { parseNodeProperties, type EventSubscriberProperties } from '../../graph/node-types';
import type { GraphNode } from '../../graph/schema';
import { renderTemplate } from '../../graph/templates';
import type { DeliveredEvent } from '../../shared/events';
import { eventSignal } from '../messages';
import { NodeFailed } from '../node-errors';
import type { Frame, Walker } from '../walker';
import { activityStep } from './side-effect';
import { sampled, type Step, type StepHost } from './step';

// Registering and ending a wait must outlive a database outage: unlimited attempts, capped backoff.
const waits = proxyActivities<WeftActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 },
});

/** What EVENT_SUBSCRIBER needs from the interpreter besides walking: showing the instance as waiting. */
export interface EventWalker extends Walker {
  /**
   * Runs `work` with the instance's status `waiting` (until the last concurrent wait ends) and
   * under the state timeouts (`settings.stateTimeouts`) of `state`.
   */
  whileWaiting<T>(state: GraphNode, work: () => Promise<T>): Promise<T>;
}

/** What the EVENT_SUBSCRIBER step needs of the run besides what every step has. */
export interface EventStepHost extends StepHost, EventWalker {}

/** What an EVENT_SUBSCRIBER run ends with. */
export interface SubscriberOutcome {
  output: { event: DeliveredEvent | null; timedOut?: true };
  port: 'received' | 'timeout';
  attempts: number;
}

/**
 * Events delivered to this execution's subscriber runs, by wait id. Only open waits accept a
 * delivery, and only the first: a repeated signal (a publish repeated with its key) or one for a
 * run that has ended changes nothing.
 */
class Inbox {
  private readonly open: Record<string, DeliveredEvent | null> = {};

  constructor() {
    setHandler(eventSignal, (delivery) => {
      if (!delivery || typeof delivery.waitId !== 'string' || !delivery.event) return;
      if (Object.prototype.hasOwnProperty.call(this.open, delivery.waitId) && this.open[delivery.waitId] === null) {
        this.open[delivery.waitId] = delivery.event;
      }
    });
  }

  openWait(id: string): void {
    this.open[id] = null;
  }

  received(id: string): DeliveredEvent | null {
    return this.open[id] ?? null;
  }

  close(id: string): void {
    delete this.open[id];
  }
}

// Keyed by the interpreter's run object: one signal handler per execution, and no state shared
// between executions even where workflow contexts are reused.
const inboxes = new WeakMap<object, Inbox>();

function inboxOf(walker: object): Inbox {
  let inbox = inboxes.get(walker);
  if (!inbox) {
    inbox = new Inbox();
    inboxes.set(walker, inbox);
  }
  return inbox;
}

function renderKey(template: string | undefined, walker: Walker, frame: Frame): string | null {
  if (template === undefined) return null;
  const value = renderTemplate(template, walker.context(frame));
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function sinceOf(props: EventSubscriberProperties, walker: Walker, frame: Frame): string {
  // Date is the workflow clock here: the moment the node started, replayed identically.
  if (!props.publishedAfter) return new Date().toISOString();
  const value = evaluateExpression(props.publishedAfter, walker.context(frame));
  const at = typeof value === 'number' ? value : Date.parse(String(value));
  if (Number.isNaN(at)) throw new WeftError('EXPRESSION_ERROR', `EVENT_SUBSCRIBER publishedAfter: ${JSON.stringify(value)} is not a timestamp`);
  return new Date(at).toISOString();
}

/**
 * Runs an EVENT_SUBSCRIBER node: registers the wait (taking an event published since `since` if
 * one matches already), then waits durably for the `event` signal of this run, bounded by
 * `timeout`. A cancelled run withdraws its wait.
 */
export async function runEventSubscriber(
  walker: EventWalker,
  node: GraphNode,
  props: EventSubscriberProperties,
  frame: Frame,
  iteration: number,
): Promise<SubscriberOutcome> {
  const executionId = workflowInfo().workflowId;
  const waitId = `${executionId}:${node.id}:${iteration}`;
  const inbox = inboxOf(walker);
  const correlationKey = renderKey(props.correlationKey, walker, frame);
  const since = sinceOf(props, walker, frame);
  inbox.openWait(waitId);
  try {
    const registered = await waits.registerEventWait({
      id: waitId,
      executionId,
      nodeId: node.id,
      eventName: props.event,
      correlationKey,
      filter: props.filter ?? null,
      since,
    });
    let event = registered.event ?? inbox.received(waitId);
    if (!event) {
      const timeoutMs = props.timeout === undefined ? undefined : parseDuration(props.timeout);
      event = await walker.whileWaiting(node, async () => {
        const delivered = () => inbox.received(waitId) !== null;
        if (timeoutMs === undefined) await condition(delivered);
        else if (!(await condition(delivered, timeoutMs))) {
          // An event delivered just as the timer fired wins over the timeout (its signal may still be on the way).
          return (await waits.expireEventWait({ id: waitId })).event;
        }
        return inbox.received(waitId);
      });
    }
    if (event) return { output: { event }, port: 'received', attempts: 1 };
    if (props.onTimeout === 'continue') return { output: { event: null, timedOut: true }, port: 'timeout', attempts: 1 };
    throw new NodeFailed({ code: 'EVENT_TIMEOUT', message: `no event "${props.event}" arrived within ${props.timeout}`, nodeId: node.id }, 1);
  } catch (err) {
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => waits.cancelEventWait({ id: waitId }));
    throw err;
  } finally {
    inbox.close(waitId);
  }
}

/**
 * The EVENT_SUBSCRIBER step (schema: src/graph/nodes/events.ts). A simulation does not wait: the
 * sample output, leaving by the `received` port.
 */
export const eventSubscriber: Step<'EVENT_SUBSCRIBER', EventStepHost> = async ({ host, node, props, iteration, frame }) => {
  if (host.samples) return { ...sampled(host, node), port: 'received' };
  return runEventSubscriber(host, node, parseNodeProperties('EVENT_SUBSCRIBER', props), frame, iteration);
};

/** The EVENT_PUBLISHER step: the publishEvent activity (src/activities/events.ts). */
export const eventPublisher = activityStep<'EVENT_PUBLISHER'>();

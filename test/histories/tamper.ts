/** A recorded history as `historyToJSON` writes it (only the fields tampering touches). */
export interface HistoryJson {
  events: Array<{ activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } } & Record<string, unknown>>;
}

/**
 * A copy of `history` in which every scheduled activity of type `from` claims to be `to`, as if
 * the workflow code that produced it had called a different activity: replay must refuse it.
 */
export function tamperActivityType(history: HistoryJson, from: string, to: string): HistoryJson {
  const copy = structuredClone(history);
  let changed = 0;
  for (const event of copy.events) {
    const type = event.activityTaskScheduledEventAttributes?.activityType;
    if (type?.name === from) {
      type.name = to;
      changed++;
    }
  }
  if (changed === 0) throw new Error(`no ${from} activity in this history`);
  return copy;
}

// The event shapes live in shared/events.ts (activities and the API import them too); workflow
// code that took them from here still may.
export type { DeliveredEvent, EventDelivery, EventWaitOutcome, EventWaitRequest } from '../shared/events';

/** NOTIFICATION (schema: src/graph/nodes/notification.ts; activity: src/activities/notification/): the sendNotification activity. */
import { activityStep } from './side-effect';

export const notification = activityStep<'NOTIFICATION'>();

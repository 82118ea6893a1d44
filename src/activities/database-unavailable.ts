import { ApplicationFailure, type Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { isDatabaseUnavailable, rootMessage } from '../db/errors';
import type { NodeFailureDetails } from './types';

/**
 * Every activity that loses Weft's own database (a session ended, a refused connection) fails
 * with the retryable type `DATABASE_UNAVAILABLE`: Temporal retries it by the node's policy (the
 * bookkeeping activities' is unlimited) while the driver reconnects, and a node that runs out of
 * attempts fails with that stable code rather than a driver's class name. A failure an activity
 * chose itself (an ApplicationFailure) is left as it is.
 */
export const databaseUnavailableInterceptor: ActivityInterceptorsFactory = (ctx: Context) => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        if (err instanceof ApplicationFailure || !isDatabaseUnavailable(err)) throw err;
        const details: NodeFailureDetails = { attempt: ctx.info.attempt };
        throw ApplicationFailure.create({
          type: 'DATABASE_UNAVAILABLE',
          // The driver's own words, not drizzle's wrapper: that one quotes the query's parameters.
          message: `Weft's database cannot be reached right now: ${rootMessage(err)}`,
          nonRetryable: false,
          details: [details],
        });
      }
    },
  },
});

/**
 * The zod schema of a duration property (WAIT `duration`, timeouts, escalation delays), so every
 * node type and settings document refuses a bad duration with the same message.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { z } from 'zod';
import { parseDuration } from './duration';

/** A string {@link parseDuration} accepts; otherwise one issue with its reason. */
export const DurationTextSchema = z.string().superRefine((text, ctx) => {
  try {
    parseDuration(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
});

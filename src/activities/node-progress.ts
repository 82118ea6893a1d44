import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { WeftDb } from '../db/client';
import { recordNodeProgress } from '../db/repositories/node-progress';
import type { NodeProgress, NodeProgressRun } from '../shared/node-progress';

/**
 * Live node events without a bookkeeping activity per node (docs/analytics.md#live-execution-events):
 * the interpreter gives a side-effecting node's activity its run and the runs traced since the
 * previous activity (`nodeProgress` in the input); this interceptor records them before the
 * activity runs, and the node's end when the activity succeeds, then hands the activity its
 * input without them. Both writes are best effort: when they fail (the database is away) the
 * node's side effect is not held up nor repeated, and the execution's final record, written
 * when it ends, announces what they did not.
 */
export function nodeProgressInterceptor(db: WeftDb): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const [first, ...rest] = input.args;
        const progress = progressOf(first);
        if (!progress) return next(input);
        const { nodeProgress: _taken, ...request } = first as { nodeProgress: NodeProgress };
        const record = async (runs: NodeProgressRun[]) => {
          try {
            await recordNodeProgress(db, progress.executionId, runs);
          } catch (err) {
            ctx.log.warn('node progress not recorded; the execution record will carry it', { executionId: progress.executionId, error: String(err) });
          }
        };
        await record(progress.runs);
        const result = await next({ ...input, args: [request, ...rest] });
        const own = progress.runs.find((r) => r.seq === progress.own);
        if (own) {
          const endedAt = new Date().toISOString();
          await record([{ ...own, status: 'completed', attempts: ctx.info.attempt, endedAt }]);
        }
        return result;
      },
    },
  });
}

function progressOf(arg: unknown): NodeProgress | undefined {
  if (arg === null || typeof arg !== 'object' || !('nodeProgress' in arg)) return undefined;
  const p = (arg as { nodeProgress?: NodeProgress }).nodeProgress;
  return p && typeof p.executionId === 'string' && Array.isArray(p.runs) ? p : undefined;
}

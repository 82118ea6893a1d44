// Workflow bundle for the benchmarks: the interpreter and hand-written baselines beside it.
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { WeftActivities } from '../src/activities';
import type { HttpRequestSpec } from '../src/activities/types';

export * from '../src/workflows';

const { apiCall } = proxyActivities<WeftActivities>({ startToCloseTimeout: '35s', retry: { maximumAttempts: 3 } });

/** What a developer would write by hand: the same activity, `count` times in a row. */
export async function handWrittenCalls(url: string, count: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < count; i++) {
    const spec: HttpRequestSpec = { method: 'GET', url, headers: {}, query: {}, timeoutMs: 30_000, maxResponseBytes: 1_000_000, idempotencyKey: `hand:${i}` };
    const r = await apiCall(spec);
    if (r.output.status === 200) ok++;
  }
  return ok;
}

/** A trivial workflow, the plain-client side of bench/api-starts.ts: no activity, one workflow task. */
export async function handWrittenTrivial(input: { amount?: number }): Promise<{ big: boolean }> {
  return { big: (input.amount ?? 0) > 100 };
}

/** The decision the hand-written approval waits for (bench/approvals.ts). */
export const approveUpdate = defineUpdate<string, [string]>('approve');

/** What a developer would write by hand for one approval: wait for the decision, then finish. */
export async function handWrittenApproval(title: string): Promise<string> {
  let decidedBy: string | undefined;
  setHandler(approveUpdate, (by) => {
    decidedBy = by;
    return title;
  });
  await condition(() => decidedBy !== undefined);
  return decidedBy as string;
}

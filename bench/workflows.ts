// Workflow bundle for the benchmarks: the interpreter and a hand-written baseline beside it.
import { proxyActivities } from '@temporalio/workflow';
import type { WeftActivities } from '../src/activities';
import type { HttpRequestSpec } from '../src/activities/types';

export { interpretGraph } from '../src/workflows';

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

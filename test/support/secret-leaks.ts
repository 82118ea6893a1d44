/**
 * Checks that credentials stay out of what Temporal and the API keep: a connector's secrets and
 * tokens must appear in no workflow history and no answer about the execution.
 */
import { historyToPlain } from '../histories/history-json';
import type { TestWeft } from './harness';

/** Every string of execution `id`'s Temporal history, and every base64 payload decoded. */
export async function historyText(t: TestWeft, id: string): Promise<string> {
  const history = historyToPlain(await t.temporal.workflow.getHandle(id).fetchHistory());
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v, Buffer.from(v, 'base64').toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(history);
  return out.join('\n');
}

/**
 * Expects none of `secrets` in execution `id`'s Temporal history nor in the API's answers about
 * it (the instance and its node history). The history must show the connector activity, so that
 * an empty or wrong history cannot pass.
 */
export async function expectNoSecretsInExecution(t: TestWeft, id: string, secrets: string[]): Promise<void> {
  const text = await historyText(t, id);
  expect(text).toContain('runConnector');
  for (const s of secrets) expect(text).not.toContain(s);
  const api = JSON.stringify([
    (await t.api('GET', `/api/v1/workflow-instances/${id}`)).body,
    (await t.api('GET', `/api/v1/workflow-instances/${id}/history`)).body,
  ]);
  for (const s of secrets) expect(api).not.toContain(s);
}

/**
 * A notice Weft itself sends (an approval's escalation or SLA warning, a rollout waiting at a
 * gate) through the NOTIFICATION activity's email path. Not delivering it is an outcome to record,
 * not a failure: callers audit `delivered` and `error` and go on.
 */
import type { ApproverSpec } from '../../domain/approver-resolution';
import type { NodeActivityRequest } from '../../graph/node-types';
import type { NodeActivityResult } from '../types';

export type SendNotification = (request: NodeActivityRequest) => Promise<NodeActivityResult<unknown>>;

export interface Notice {
  /** What the notice is about, as the NOTIFICATION request names it (its Message-ID comes from `idempotencyKey`). */
  executionId: string;
  definitionId: string;
  nodeId: string;
  iteration: number;
  idempotencyKey: string;
  recipients: ApproverSpec[];
  subject: string;
  message: string;
}

export async function sendNotice(send: SendNotification, n: Notice): Promise<{ delivered: boolean; error?: string }> {
  try {
    await send({
      executionId: n.executionId,
      definitionId: n.definitionId,
      nodeId: n.nodeId,
      nodeType: 'NOTIFICATION',
      iteration: n.iteration,
      idempotencyKey: n.idempotencyKey,
      properties: { channels: ['email'], recipients: n.recipients, subject: n.subject, message: n.message },
      timeoutMs: 30_000,
    });
    return { delivered: true };
  } catch (err) {
    return { delivered: false, error: err instanceof Error ? err.message : String(err) };
  }
}

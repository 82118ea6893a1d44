/**
 * How the API talks to a running approval workflow: its live state by query, decisions and other
 * requests by update, with the workflow's refusals and a request that closed meanwhile turned into
 * Weft's error codes.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WeftError } from '../graph/errors';
import type { ApprovalState } from '../shared/approvals';
import { approvalStateQuery } from '../workflows/approval-types';
import { updateRefusal } from './update-refusal';

const QUERY_DEADLINE_MS = 3_000;

export class ApprovalMessages {
  constructor(private readonly temporal: Client) {}

  /** The `approvalState` query's answer, or undefined when the workflow cannot answer now. */
  async liveState(id: string): Promise<ApprovalState | undefined> {
    try {
      const handle = this.temporal.workflow.getHandle(id);
      return await this.temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(approvalStateQuery));
    } catch {
      return undefined;
    }
  }

  /**
   * Sends an update, turning a refusal into a WeftError with the validator's code.
   * @throws WeftError the validator's code, or APPROVAL_NOT_PENDING when the request has closed
   */
  async send<T>(id: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const refusal = updateRefusal(err, 'APPROVAL_NOT_PENDING');
      if (refusal) throw refusal;
      if (err instanceof WorkflowNotFoundError) throw notPending(id);
      // An update the server admitted while the request was closing is aborted ("workflow update
      // was aborted"): for the caller it came too late, like any decision on a closed request.
      if (await this.hasClosed(id)) throw notPending(id);
      throw err;
    }
  }

  private async hasClosed(id: string): Promise<boolean> {
    try {
      return (await this.temporal.workflow.getHandle(id).describe()).status.name !== 'RUNNING';
    } catch {
      return false;
    }
  }
}

function notPending(id: string): WeftError {
  return new WeftError('APPROVAL_NOT_PENDING', `approval request ${id} is no longer open`);
}

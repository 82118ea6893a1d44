/** `weft approvals | approve | reject`: the approver's inbox and decisions. */
import type { Command } from 'commander';
import { seg } from '../client';
import { act, positiveCount } from '../context';

interface RequestView {
  id: string;
  type: string;
  status: string;
  title: string;
  requestedBy: string | null;
  requestedAt: string;
  currentStepId?: string | null;
  executionId: string | null;
  nodeId: string | null;
  pendingApprovers?: string[];
}

function requestLine(r: RequestView): string {
  const step = r.currentStepId ? `  step ${r.currentStepId}` : '';
  const from = r.executionId ? `  execution ${r.executionId}${r.nodeId ? ` node ${r.nodeId}` : ''}` : '';
  return `${r.id}  [${r.status}] ${r.type}: ${r.title}${step}  by ${r.requestedBy ?? '—'} at ${r.requestedAt}${from}`;
}

/** What an accepted decision answers. */
interface DecideResult {
  requestId: string;
  stepId: string;
  stepStatus: string;
  status: string;
}

type Verb = 'approve' | 'reject' | 'request-changes';

/** Registers one decision command: `weft approve ID`, `weft reject ID --comment …`. */
function decision(program: Command, verb: Verb, description: string, commentRequired: boolean): void {
  const command = program
    .command(verb)
    .description(description)
    .argument('<id>', 'approval request id (or an execution id with --instance)')
    .option('--instance', 'the id is an execution: decide its open APPROVAL node')
    .option('--step <id>', 'the chain step you decide (when you are an approver of several)');
  if (commentRequired) command.requiredOption('-c, --comment <text>', 'why (required)');
  else command.option('-c, --comment <text>', 'a comment kept with the decision');
  command.action(
    act<{ instance?: boolean; step?: string; comment?: string }>(async (ctx, [id], opts) => {
      const path = `${opts.instance ? '/workflow-instances' : '/approval-requests'}/${seg(id!)}/${verb}`;
      const body = { ...(opts.comment ? { comments: opts.comment } : {}), ...(opts.step ? { stepId: opts.step } : {}) };
      const after = (await ctx.client().post<DecideResult>(path, body)).body;
      const done = verb === 'approve' ? 'approved' : verb === 'reject' ? 'rejected' : 'asked for changes on';
      ctx.out.result(after, () => `${done} ${after.requestId} (step ${after.stepId}: ${after.stepStatus}); the request is ${after.status}`);
    }),
  );
}

export function registerApprovalCommands(program: Command): void {
  program
    .command('approvals')
    .description('the approval requests waiting for you (your inbox); --all for every request')
    .option('--all', 'every request, not only those waiting for you')
    .option('--status <status>', 'with --all: pending, approved, rejected, …', 'pending')
    .option('--type <type>', 'with --all: only this request type')
    .option('--limit <n>', 'at most n requests (default: all of them)', positiveCount)
    .action(
      act<{ all?: boolean; status: string; type?: string; limit?: number }>(async (ctx, _args, opts) => {
        const query = new URLSearchParams({ status: opts.status, limit: '500', ...(opts.type ? { type: opts.type } : {}) });
        const path = opts.all ? `/approval-requests?${query.toString()}` : '/me/approvals?limit=500';
        const page = { items: await ctx.client().list<RequestView>(path, opts.limit) };
        ctx.out.result(page, () =>
          page.items.length ? page.items.map(requestLine) : [opts.all ? `no ${opts.status} approval requests` : 'nothing waits for you'],
        );
      }),
    );
  decision(program, 'approve', 'approve a request (the step you are an approver of)', false);
  decision(program, 'reject', 'reject a request, saying why', true);
  decision(program, 'request-changes', 'send a request back to its requester for changes, saying what', true);
}

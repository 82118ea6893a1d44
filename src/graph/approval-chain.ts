/**
 * Approval chains (`001_*.txt` "Approval Chain System", "Timeout and Escalation Handling"): the
 * document an approval policy stores and an APPROVAL node may carry inline.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { z } from 'zod';
import { parseDuration } from './duration';
import { DurationTextSchema } from './duration-schema';
import { WeftError } from './errors';
import { checkExpression } from './expressions';
import { fromZodIssues } from './zod-issues';

/** Who an escalation reaches: `user:<id>`, `role:<role>` or `group:<id>`. */
const target = z.string().regex(/^(user|role|group):.+$/, 'must be user:<id>, role:<role> or group:<id>');

/** Approvers named without fallback: a user, a role, a group, or a JSONata expression over the request. */
const plainApprover = z.strictObject({
  type: z.enum(['user', 'role', 'group', 'dynamic']),
  identifier: z.string().min(1),
});

/** One approver spec; `fallback` is used when this spec resolves to nobody. */
export const ApproverDefinitionSchema = plainApprover.extend({ fallback: z.array(plainApprover).optional() }).superRefine((a, ctx) => {
  const check = (spec: { type: string; identifier: string }, path: Array<string | number>) => {
    if (spec.type !== 'dynamic') return;
    const problem = checkExpression(spec.identifier);
    if (problem) ctx.addIssue({ code: 'custom', path, message: problem.message, params: { weftCode: 'EXPRESSION_ERROR' } });
  };
  check(a, ['identifier']);
  a.fallback?.forEach((f, i) => check(f, ['fallback', i, 'identifier']));
});

/** What an escalation rule does when its delay has passed. */
export const ESCALATION_ACTIONS = ['notify', 'reassign', 'escalate', 'auto_approve', 'cancel'] as const;

export const EscalationRuleSchema = z
  .strictObject({
    after: DurationTextSchema,
    action: z.enum(ESCALATION_ACTIONS),
    target: target.optional(),
    message: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.action === 'reassign' || r.action === 'escalate') && !r.target) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: `${r.action} needs a target` });
    }
  });

export const SlaSchema = z.strictObject({
  target: DurationTextSchema,
  warningPercent: z.number().min(1).max(1000).default(80),
  breachPercent: z.number().min(1).max(1000).default(100),
  /** Also notify the step's pending approvers of warnings and breaches. */
  notify: z.boolean().default(false),
});

export const ApprovalStepSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "-" and "." only'),
    name: z.string().optional(),
    approvers: z.array(ApproverDefinitionSchema).min(1),
    minimumApprovals: z.number().int().min(1).default(1),
    unanimousRequired: z.boolean().default(false),
    /** false: the approvers are asked one after another, in the order listed. */
    parallel: z.boolean().default(true),
    allowSelfApproval: z.boolean().default(false),
    requireComments: z.boolean().default(false),
    timeout: DurationTextSchema.optional(),
    timeoutMinutes: z.number().positive().optional(),
    escalation: z.array(EscalationRuleSchema).default([]),
    sla: SlaSchema.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.timeout !== undefined && s.timeoutMinutes !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['timeoutMinutes'], message: 'give timeout or timeoutMinutes, not both' });
    }
  });

/** What a step that times out does (after its escalation rules had their chance). */
export const TIMEOUT_ACTIONS = ['expire', 'reject', 'auto_approve'] as const;

export const ApprovalChainSchema = z
  .strictObject({
    steps: z.array(ApprovalStepSchema).min(1),
    onTimeout: z.enum(TIMEOUT_ACTIONS).default('expire'),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.steps.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `step id "${s.id}" is used twice` });
      seen.add(s.id);
    });
  });

export type ApproverDefinition = z.output<typeof ApproverDefinitionSchema>;
export type EscalationRule = z.output<typeof EscalationRuleSchema>;
export type ApprovalStep = z.output<typeof ApprovalStepSchema>;
/** A parsed chain, defaults applied. */
export type ApprovalChain = z.output<typeof ApprovalChainSchema>;

/** The step's timeout in ms, or undefined when it never times out. */
export function stepTimeoutMs(step: ApprovalStep): number | undefined {
  if (step.timeout !== undefined) return parseDuration(step.timeout);
  if (step.timeoutMinutes !== undefined) return Math.round(step.timeoutMinutes * 60_000);
  return undefined;
}

/**
 * Parses a chain with defaults applied.
 * @param prefix where the chain sits in the caller's document, for the issue paths
 * @throws WeftError VALIDATION_ERROR with every offending JSON path
 */
export function parseApprovalChain(chain: unknown, prefix: ReadonlyArray<string | number> = []): ApprovalChain {
  const parsed = ApprovalChainSchema.safeParse(chain);
  if (!parsed.success) {
    throw new WeftError('VALIDATION_ERROR', 'the approval chain is not valid', { issues: fromZodIssues(parsed.error.issues, prefix) });
  }
  return parsed.data;
}

/**
 * APPROVAL node properties: a chain inline or a policy by id (exactly one), the request's
 * `title`/`description` (templates), `data` (JSON whose strings are templates) and
 * `requestedBy` (an expression; the execution's starter when absent).
 */
export const ApprovalNodePropertiesSchema = z
  .strictObject({
    policyId: z.string().min(1).optional(),
    chain: ApprovalChainSchema.optional(),
    title: z.string().min(1),
    description: z.string().optional(),
    data: z.unknown().optional(),
    requestedBy: z.string().min(1).optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.policyId === undefined) === (p.chain === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'APPROVAL needs exactly one of "policyId" or "chain"' });
    }
  });

export type ApprovalNodeProperties = z.output<typeof ApprovalNodePropertiesSchema>;

/** The ports an APPROVAL node leaves through. */
export const APPROVAL_PORTS = ['approved', 'rejected', 'changes_requested', 'expired'] as const;

/**
 * The graph format (GRAPH.md) as zod schemas, and the parsed types every other module uses.
 * These schemas check shape only; `validate.ts` adds the graph rules (one START, reachability,
 * ports, node properties, expressions) on top.
 *
 * Backward compatible by construction: unknown top-level keys are stripped, not refused.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { z } from 'zod';
import { isPlainObject } from './json';
import { StateTimeoutsSchema } from './state-timeout-schema';

/** Node ids are usable as `nodes.<id>` in JSONata (with backquotes when they contain `-`). */
export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Variable names follow the same rule, so `vars.<name>` works. */
export const VARIABLE_NAME_PATTERN = NODE_ID_PATTERN;

/** The value types a variable can declare. */
export const VARIABLE_TYPES = ['string', 'number', 'boolean', 'array', 'object'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

/** True when `value` is of the declared variable type (numbers must be finite; objects are non-null, non-array). */
export function matchesVariableType(type: VariableType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isPlainObject(value);
  }
}

/**
 * A variable declaration: its type, default `value`, scope and description. A `value` that does
 * not match `type` is an issue with `params.weftCode` `INVALID_VARIABLE_TYPE` at `value`.
 */
export const VariableDeclSchema = z
  .object({
    type: z.enum(VARIABLE_TYPES),
    value: z.unknown().optional(),
    scope: z.enum(['global', 'execution', 'node']).optional(),
    description: z.string().optional(),
  })
  .superRefine((decl, ctx) => {
    if (decl.value !== undefined && !matchesVariableType(decl.type, decl.value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `Default value does not match the declared type "${decl.type}"`,
        params: { weftCode: 'INVALID_VARIABLE_TYPE' },
      });
    }
  });

/** A canvas position; ignored by execution. */
export const PositionSchema = z.object({ x: z.number(), y: z.number() });

/**
 * A node: `id` (unique, see {@link NODE_ID_PATTERN}), `type` (upper case, see node-types.ts),
 * optional `name`/`position`/`metadata` (ignored by execution) and `properties` (checked per
 * type by `validate.ts`; default `{}`).
 */
export const GraphNodeSchema = z.object({
  id: z.string().min(1).regex(NODE_ID_PATTERN, 'Node id must start with a letter or _ and contain only letters, digits, _ and -'),
  type: z.string().min(1),
  name: z.string().optional(),
  position: PositionSchema.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  properties: z.record(z.string(), z.unknown()).default({}),
});

/**
 * An edge from `source` to `target` (node ids). `sourcePort` names the port of the source it
 * leaves from (IF_THEN_ELSE, SWITCH); `condition` is an expression that must hold; `priority`
 * orders candidates (higher first, default 0); `trigger` is an event name it waits for.
 */
export const GraphEdgeSchema = z.object({
  id: z.string().min(1).optional(),
  source: z.string().min(1),
  target: z.string().min(1),
  sourcePort: z.string().min(1).optional(),
  targetPort: z.string().min(1).optional(),
  condition: z.string().min(1).optional(),
  priority: z.number().default(0),
  trigger: z.string().min(1).optional(),
});

/**
 * Execution settings: `maxSteps` node runs before `STEP_LIMIT_EXCEEDED` (default 10,000),
 * `timeoutMs` for a whole execution, `rollbackOnFailure` (run the `compensation` nodes of
 * completed nodes when the execution fails; default false), `stateTimeouts` (escalation rules
 * per waiting node, see state-timeout-schema.ts), `historyLimit` (history events one Temporal run
 * may reach before the execution continues as a new run at its next top-level node; default
 * 10,000), `maxConcurrentExecutions` and `maxStartsPerMinute` (per-workflow limits: a start over
 * them waits, `queued`, in start order; absent: unlimited).
 */
export const SettingsSchema = z.object({
  maxSteps: z.number().int().min(1).default(10_000),
  timeoutMs: z.number().int().min(1).optional(),
  historyLimit: z.number().int().min(100).max(40_000).optional(),
  // Optional rather than defaulted: stored graphs keep their shape; absent means false.
  rollbackOnFailure: z.boolean().optional(),
  stateTimeouts: StateTimeoutsSchema.optional(),
  // Optional (no default): stored graphs keep their shape; absent means unlimited.
  maxConcurrentExecutions: z.number().int().min(1).max(100_000).optional(),
  maxStartsPerMinute: z.number().int().min(1).max(100_000).optional(),
});

/**
 * An event trigger: every event named `event` (for which `filter`, a JSONata expression over
 * `event`, holds) starts an execution of the definition's active version.
 */
export const EventTriggerSchema = z.object({
  event: z.string().min(1).max(200),
  filter: z.string().min(1).optional(),
});

/** A whole workflow definition. Defaults applied: `variables` {}, `edges` [], `settings` { maxSteps: 10000 }. */
export const WorkflowDefinitionSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  variables: z
    .record(
      z.string().regex(VARIABLE_NAME_PATTERN, 'Variable names must start with a letter or _ and contain only letters, digits, _ and -'),
      VariableDeclSchema,
    )
    .default({}),
  nodes: z.array(GraphNodeSchema),
  edges: z.array(GraphEdgeSchema).default([]),
  // prefault (not default) so that the inner defaults apply when settings are absent.
  settings: SettingsSchema.prefault({}),
  tags: z.array(z.string()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  // Optional, so definitions written before triggers existed parse and store unchanged.
  triggers: z
    .array(EventTriggerSchema)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((t, i) => {
        if (seen.has(t.event)) ctx.addIssue({ code: 'custom', path: [i, 'event'], message: `event "${t.event}" has a trigger already` });
        seen.add(t.event);
      });
    })
    .optional(),
});

/** A parsed workflow definition, defaults applied. */
export type WorkflowDefinition = z.output<typeof WorkflowDefinitionSchema>;
/** A parsed node (`properties` defaults to `{}`). */
export type GraphNode = z.output<typeof GraphNodeSchema>;
/** A parsed edge (`priority` defaults to 0). */
export type GraphEdge = z.output<typeof GraphEdgeSchema>;
/** A parsed variable declaration. */
export type VariableDecl = z.output<typeof VariableDeclSchema>;
/** Parsed settings (`maxSteps` defaults to 10,000). */
export type GraphSettings = z.output<typeof SettingsSchema>;
/** A definition as users write it, before defaults. */
export type WorkflowDefinitionInput = z.input<typeof WorkflowDefinitionSchema>;

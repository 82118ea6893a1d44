import { ErrorHandlerPropertiesSchema, FallbackPathPropertiesSchema, RetryLogicPropertiesSchema } from '../../graph/node-types';
import type { ErrorHandlerProperties, RetryLogicProperties } from '../../graph/node-types';
import type { WorkflowDefinition } from '../../graph/schema';

export type ErrorHandlerRule = ErrorHandlerProperties['handlers'][number];

interface ScopedHandler {
  guards: string[] | undefined;
  rule: ErrorHandlerRule;
  pattern: RegExp;
  /** Order in the definition: ties in priority go to the earlier handler. */
  order: number;
}

/**
 * The error-handling policies of a graph — ERROR_HANDLER rules, RETRY_LOGIC policies and
 * FALLBACK_PATH entries — indexed for the node that failed. Built once per execution from the
 * (validated) graph, so patterns are known to be safe regular expressions.
 */
export class ErrorPolicies {
  private readonly handlers: ScopedHandler[] = [];
  private readonly retries: Record<string, RetryLogicProperties> = {};
  private readonly fallbacks: Array<{ nodeId: string; guards: string[]; codes: RegExp | undefined }> = [];

  constructor(graph: WorkflowDefinition) {
    for (const node of graph.nodes) {
      if (node.type === 'ERROR_HANDLER') {
        const props = ErrorHandlerPropertiesSchema.parse(node.properties ?? {});
        for (const rule of props.handlers) {
          this.handlers.push({ guards: props.guards, rule, pattern: new RegExp(rule.pattern), order: this.handlers.length });
        }
      } else if (node.type === 'RETRY_LOGIC') {
        const props = RetryLogicPropertiesSchema.parse(node.properties ?? {});
        for (const guarded of props.guards) this.retries[guarded] ??= props;
      } else if (node.type === 'FALLBACK_PATH') {
        const props = FallbackPathPropertiesSchema.parse(node.properties ?? {});
        this.fallbacks.push({ nodeId: node.id, guards: props.guards, codes: props.errorCodes ? new RegExp(props.errorCodes) : undefined });
      }
    }
    // Node-level handlers before workflow-level ones at equal priority: the narrower scope wins.
    this.handlers.sort((a, b) => b.rule.priority - a.rule.priority || Number(!a.guards) - Number(!b.guards) || a.order - b.order);
  }

  /** The handler that decides about `code` failing at `nodeId`, if any. */
  handlerFor(nodeId: string, code: string): ErrorHandlerRule | undefined {
    return this.handlers.find((h) => (!h.guards || h.guards.includes(nodeId)) && h.pattern.test(code))?.rule;
  }

  /** The RETRY_LOGIC policy guarding `nodeId` (the first one listed wins). */
  retryFor(nodeId: string): RetryLogicProperties | undefined {
    return this.retries[nodeId];
  }

  /** The FALLBACK_PATH node to continue at when `nodeId` fails with `code`. */
  fallbackFor(nodeId: string, code: string): string | undefined {
    return this.fallbacks.find((f) => f.guards.includes(nodeId) && (!f.codes || f.codes.test(code)))?.nodeId;
  }
}

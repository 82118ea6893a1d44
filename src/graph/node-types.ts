/**
 * The node-type registry: every node type name of the format, and for each type its properties
 * schema, ports, whether it has side effects, and where its expressions are. Each family of types
 * keeps its schema and spec in src/graph/nodes/<family>.ts (its step is
 * src/workflows/steps/<family>.ts); this module assembles them.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { WeftError } from './errors';
import { apiCallNodes } from './nodes/api-call';
import { approvalNodes } from './nodes/approval';
import { branchingNodes } from './nodes/branching';
import { connectorNodes } from './nodes/connectors';
import { dataTransformationNodes } from './nodes/data-transformation';
import { errorHandlingNodes } from './nodes/error-handling';
import { eventNodes } from './nodes/events';
import { loopNodes } from './nodes/loop';
import { notificationNodes } from './nodes/notification';
import { operationNodes } from './nodes/operations';
import { parallelNodes } from './nodes/parallel';
import type { NodeSpec, NodeType } from './nodes/spec';
import { startEndNodes } from './nodes/start-end';
import { subprocessNodes } from './nodes/subprocess';
import { validationNodes } from './nodes/validation';
import { waitNodes } from './nodes/wait';
import { fromZodIssues } from './zod-issues';

export { isNodeType, NODE_TYPES, type ExpressionField, type NodeSpec, type NodeType } from './nodes/spec';
export * from './nodes/side-effect';
export * from './nodes/start-end';
export * from './nodes/data-transformation';
export * from './nodes/validation';
export * from './nodes/branching';
export * from './nodes/wait';
export * from './nodes/loop';
export * from './nodes/parallel';
export * from './nodes/subprocess';
export * from './nodes/error-handling';
export * from './nodes/api-call';
export * from './nodes/operations';
export * from './nodes/events';
export * from './nodes/connectors';
export * from './nodes/notification';
export * from './nodes/approval';

// In the order types were always listed (SUPPORTED_NODE_TYPES keeps it).
const REGISTRY = {
  ...startEndNodes,
  ...dataTransformationNodes,
  ...validationNodes,
  ...branchingNodes,
  ...waitNodes,
  ...loopNodes,
  ...parallelNodes,
  ...subprocessNodes,
  ...errorHandlingNodes,
  ...apiCallNodes,
  ...operationNodes,
  ...eventNodes,
  ...connectorNodes,
  ...notificationNodes,
  ...approvalNodes,
  // Every type of the format has a spec: the compiler refuses a type added to NODE_TYPES alone.
} as const satisfies Record<NodeType, { type: NodeType }>;

/** A node type this version executes. */
export type SupportedNodeType = keyof typeof REGISTRY;

/** The node types this version executes: every one of {@link NODE_TYPES}. */
export const SUPPORTED_NODE_TYPES: readonly SupportedNodeType[] = Object.freeze(Object.keys(REGISTRY) as SupportedNodeType[]);

/** The parsed properties of each supported type. */
export type NodePropertiesByType = {
  [K in SupportedNodeType]: (typeof REGISTRY)[K] extends NodeSpec<infer P> ? P : never;
};

/** True when `type` is executed by this version. */
export function isSupportedNodeType(type: unknown): type is SupportedNodeType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(REGISTRY, type);
}

/** The spec of a supported node type, or undefined for any other string (unknown or not yet supported). */
export function nodeSpec<T extends SupportedNodeType>(type: T): NodeSpec<NodePropertiesByType[T]>;
export function nodeSpec(type: string): NodeSpec | undefined;
export function nodeSpec(type: string): NodeSpec | undefined {
  return isSupportedNodeType(type) ? (REGISTRY[type] as NodeSpec) : undefined;
}

/** True for node types whose work is a side effect (one Temporal activity per run); false for control nodes and unknown names. */
export function isSideEffectNode(type: string): boolean {
  return nodeSpec(type)?.sideEffect ?? false;
}

/**
 * Parses a node's properties with its type's schema, defaults applied (e.g. API_CALL `method`
 * GET, retry `strategy` EXPONENTIAL).
 *
 * @throws WeftError `VALIDATION_ERROR` (with `issues` relative to the properties) when they do
 *   not match; `INVALID_NODE_TYPE` when the type is not supported.
 */
export function parseNodeProperties<T extends SupportedNodeType>(type: T, properties: unknown): NodePropertiesByType[T] {
  const s = nodeSpec(type as string);
  if (!s) throw new WeftError('INVALID_NODE_TYPE', `Node type "${String(type)}" is not executed by this version of Weft`);
  const parsed = s.propertiesSchema.safeParse(properties ?? {});
  if (!parsed.success) {
    const issues = fromZodIssues(parsed.error.issues, []);
    throw new WeftError('VALIDATION_ERROR', `Invalid properties for ${String(type)} node`, { issues });
  }
  return parsed.data as NodePropertiesByType[T];
}

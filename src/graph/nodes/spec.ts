/**
 * What the engine knows about a node type (NodeSpec), the names of all types, and the helpers
 * each family's spec uses to say where its expressions are.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { z } from 'zod';
import { escapePointerToken, isPlainObject, toPointer } from '../json';

/** Every node type name of the format (the seed announces 24 and lists these 23). */
export const NODE_TYPES = [
  'START',
  'END',
  'MATERIAL_CONSUME',
  'EQUIPMENT_OPERATION',
  'QUALITY_CHECK',
  'DATA_TRANSFORMATION',
  'API_CALL',
  'SUBPROCESS',
  'IF_THEN_ELSE',
  'LOOP',
  'WAIT',
  'SWITCH',
  'PARALLEL',
  'SALESFORCE_CONNECTOR',
  'SAP_CONNECTOR',
  'NETSUITE_CONNECTOR',
  'CUSTOM_API',
  'EVENT_PUBLISHER',
  'EVENT_SUBSCRIBER',
  'ERROR_HANDLER',
  'RETRY_LOGIC',
  'FALLBACK_PATH',
  'NOTIFICATION',
  // Beyond the 23 of 000: a step type of 004 (see validation-node.ts).
  'VALIDATION',
  // Beyond the seeds' list: waits for an approval chain (issue 5, see src/workflows/steps/approval.ts).
  'APPROVAL',
] as const;

/** A node type name. */
export type NodeType = (typeof NODE_TYPES)[number];

/** True when `type` is one of {@link NODE_TYPES} (case-sensitive: types are upper case). */
export function isNodeType(type: unknown): type is NodeType {
  return typeof type === 'string' && (NODE_TYPES as readonly string[]).includes(type);
}

/** Where an expression or template sits inside a node's properties. */
export interface ExpressionField {
  /** JSON Pointer relative to `properties`, e.g. `/assign/total`. */
  pointer: string;
  /** `expression`: JSONata. `template`: text with `${…}` / `{{…}}` markers. */
  kind: 'expression' | 'template';
  source: string;
}

/** What the engine knows about one executable node type. */
export interface NodeSpec<P = unknown> {
  type: NodeType;
  /** Strict schema of `properties` (unknown keys are issues), defaults applied on parse. */
  propertiesSchema: z.ZodType<P>;
  /**
   * The ports edges may leave from: a list, `'any'` (SWITCH: any value, plus `default`), or
   * `[]` (edges must not name a `sourcePort`).
   */
  ports: readonly string[] | 'any';
  /** Edges may also leave without naming a port (VALIDATION: they take valid data). */
  portOptional?: boolean;
  /** Runs as a Temporal activity (true) or inside the workflow (false). */
  sideEffect: boolean;
  /**
   * For side-effecting types other than API_CALL: the name of the worker activity that runs
   * the node. It receives a {@link NodeActivityRequest} whose properties are already rendered.
   */
  activity?: string;
  /**
   * Every expression and template in the properties. Tolerates malformed properties (skips
   * what is not a string) so that validation can report expression problems alongside schema ones.
   */
  expressionFields(properties: unknown): ExpressionField[];
}

/** A non-empty JSONata expression. */
export const expression = z.string().min(1, 'Expression must not be empty');

// --- expression locations -------------------------------------------------------------------

export function field(props: unknown, key: string, kind: ExpressionField['kind']): ExpressionField[] {
  const value = isPlainObject(props) ? props[key] : undefined;
  return typeof value === 'string' ? [{ pointer: `/${escapePointerToken(key)}`, kind, source: value }] : [];
}

export function mapFields(props: unknown, key: string, kind: ExpressionField['kind']): ExpressionField[] {
  const map = isPlainObject(props) ? props[key] : undefined;
  if (!isPlainObject(map)) return [];
  return Object.keys(map).flatMap((name) => {
    const value = map[name];
    return typeof value === 'string' ? [{ pointer: toPointer([key, name]), kind, source: value }] : [];
  });
}

export function deepTemplates(value: unknown, segments: Array<string | number>): ExpressionField[] {
  if (typeof value === 'string') return [{ pointer: toPointer(segments), kind: 'template', source: value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => deepTemplates(item, [...segments, i]));
  if (isPlainObject(value)) return Object.keys(value).flatMap((k) => deepTemplates(value[k], [...segments, k]));
  return [];
}

/** Every string of the properties the interpreter renders for an activity (all but the common retry policy). */
export function renderedTemplates(props: unknown): ExpressionField[] {
  if (!isPlainObject(props)) return [];
  return Object.keys(props).flatMap((key) => (key === 'retry' ? [] : deepTemplates(props[key], [key])));
}

/** Keeps a registry entry's properties type (each family's entries are built with it). */
export function spec<P>(s: NodeSpec<P>): NodeSpec<P> {
  return s;
}

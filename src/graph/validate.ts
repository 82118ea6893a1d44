/**
 * Whole-definition validation (GRAPH.md "Validation"): shape, node properties per type,
 * expressions, and the graph rules. Every issue is reported, each with a JSON Pointer into the
 * document as the user wrote it (`/nodes/3/properties/condition`, `/edges/2/target`).
 *
 * Issue codes: `VALIDATION_ERROR` (a value does not match the schema), `INVALID_WORKFLOW` (a
 * graph rule), `INVALID_NODE_TYPE`, `INVALID_VARIABLE_TYPE`,
 * `EXPRESSION_ERROR`.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { type ValidationIssue, WeftError } from './errors';
import { checkDetachedNodes, detachedNodeIds } from './detached-validation';
import { checkExpression } from './expressions';
import { isPlainObject, toPointer } from './json';
import { unsafeRegexReason } from './regex-safety';
import { isNodeType, NODE_TYPES, nodeSpec } from './node-types';
import { type WorkflowDefinition, WorkflowDefinitionSchema } from './schema';
import { checkTemplate } from './templates';
import { checkValidationNodes } from './validation-node';
import { fromZodIssues } from './zod-issues';

/** The outcome of {@link validateDefinition}. */
export type ValidationResult = { ok: true; definition: WorkflowDefinition } | { ok: false; issues: ValidationIssue[] };

type Segment = string | number;

/** A node as far as the graph rules need it: where it is and what type it claims. */
interface NodeRef {
  index: number;
  id: string;
  type: unknown;
}

/**
 * Validates a definition as received (any JSON). On success returns the parsed definition with
 * defaults applied (node `properties` are kept as written; parse them with
 * `parseNodeProperties` for their defaults). Never throws for bad input.
 */
export function validateDefinition(raw: unknown): ValidationResult {
  if (!isPlainObject(raw)) {
    return { ok: false, issues: [{ path: '', code: 'INVALID_WORKFLOW', message: 'A workflow definition must be a JSON object' }] };
  }
  const issues: ValidationIssue[] = [];
  const parsed = WorkflowDefinitionSchema.safeParse(raw);
  if (!parsed.success) issues.push(...fromZodIssues(parsed.error.issues, []));

  if (Array.isArray(raw.nodes)) {
    const rawEdges = Array.isArray(raw.edges) ? raw.edges : [];
    const nodes = checkNodes(raw.nodes, issues);
    checkEdges(rawEdges, nodes, issues);
    checkGraph(raw.nodes, rawEdges, nodes, issues, detachedNodeIds(raw));
    checkControlStructure(raw.nodes, rawEdges, nodes, issues);
    checkErrorHandling(raw.nodes, rawEdges, nodes, issues);
    checkValidationNodes(raw.nodes, rawEdges, issues);
    checkDetachedNodes(raw, issues);
  }
  checkTriggerFilters(raw.triggers, issues);

  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return { ok: true, definition: parsed.data };
}

/** The error the API answers with for a refused definition: `INVALID_WORKFLOW` carrying every issue. */
export function wrapValidationIssues(issues: ValidationIssue[]): WeftError {
  const first = issues[0];
  const summary = first ? ` (first: ${first.path || '/'}: ${first.message})` : '';
  return new WeftError('INVALID_WORKFLOW', `Workflow definition is invalid: ${issues.length} issue${issues.length === 1 ? '' : 's'}${summary}`, {
    issues,
  });
}

/**
 * Validates and returns the parsed definition.
 *
 * @throws WeftError `INVALID_WORKFLOW` with every issue when the definition is invalid.
 */
export function assertValidDefinition(raw: unknown): WorkflowDefinition {
  const result = validateDefinition(raw);
  if (!result.ok) throw wrapValidationIssues(result.issues);
  return result.definition;
}

/** Event trigger filters are expressions (the shape is the schema's). */
function checkTriggerFilters(triggers: unknown, issues: ValidationIssue[]): void {
  if (!Array.isArray(triggers)) return;
  triggers.forEach((t, index) => {
    if (!isPlainObject(t) || typeof t.filter !== 'string' || t.filter.trim() === '') return;
    const problem = checkExpression(t.filter);
    if (problem) issues.push({ path: toPointer(['triggers', index, 'filter']), code: 'EXPRESSION_ERROR', message: problem.message });
  });
}

/** Per-node checks: duplicate ids, type, properties, expressions. Returns the first node of each id. */
function checkNodes(rawNodes: unknown[], issues: ValidationIssue[]): Map<string, NodeRef> {
  const byId = new Map<string, NodeRef>();
  rawNodes.forEach((node, index) => {
    if (!isPlainObject(node)) return; // reported by the schema
    if (typeof node.id === 'string' && node.id !== '') {
      const first = byId.get(node.id);
      if (first) {
        issues.push({
          path: toPointer(['nodes', index, 'id']),
          code: 'INVALID_WORKFLOW',
          message: `Duplicate node id "${node.id}" (already used by /nodes/${first.index})`,
        });
      } else {
        byId.set(node.id, { index, id: node.id, type: node.type });
      }
    }
    const type = node.type;
    if (typeof type !== 'string' || type === '') return; // reported by the schema
    const typePath = toPointer(['nodes', index, 'type']);
    if (!isNodeType(type)) {
      issues.push({ path: typePath, code: 'INVALID_NODE_TYPE', message: `Unknown node type "${type}"; expected one of ${NODE_TYPES.join(', ')}` });
      return;
    }
    const spec = nodeSpec(type);
    const properties = node.properties === undefined ? {} : node.properties;
    if (!isPlainObject(properties)) return; // reported by the schema
    const propertiesPath: Segment[] = ['nodes', index, 'properties'];
    const result = spec.propertiesSchema.safeParse(properties);
    if (!result.success) issues.push(...fromZodIssues(result.error.issues, propertiesPath));
    for (const f of spec.expressionFields(properties)) {
      // An empty expression is already a schema issue at the same path.
      if (f.source.trim() === '') continue;
      const message = f.kind === 'expression' ? checkExpression(f.source)?.message : checkTemplate(f.source);
      if (message) {
        issues.push({ path: `${toPointer(propertiesPath)}${f.pointer}`, code: 'EXPRESSION_ERROR', message });
      }
    }
  });
  return byId;
}

/** Per-edge checks: ids unique, endpoints exist, the port exists, END has no way out, the condition parses. */
function checkEdges(rawEdges: unknown[], nodes: Map<string, NodeRef>, issues: ValidationIssue[]): void {
  const edgeIds = new Map<string, number>();
  rawEdges.forEach((edge, index) => {
    if (!isPlainObject(edge)) return; // reported by the schema
    if (typeof edge.id === 'string' && edge.id !== '') {
      const first = edgeIds.get(edge.id);
      if (first === undefined) {
        edgeIds.set(edge.id, index);
      } else {
        issues.push({
          path: toPointer(['edges', index, 'id']),
          code: 'INVALID_WORKFLOW',
          message: `Duplicate edge id "${edge.id}" (already used by /edges/${first})`,
        });
      }
    }
    for (const end of ['source', 'target'] as const) {
      const id = edge[end];
      if (typeof id === 'string' && id !== '' && !nodes.has(id)) {
        issues.push({ path: toPointer(['edges', index, end]), code: 'INVALID_WORKFLOW', message: `Edge ${end} "${id}" is not the id of a node` });
      }
    }
    const source = typeof edge.source === 'string' ? nodes.get(edge.source) : undefined;
    if (source) {
      if (source.type === 'END') {
        issues.push({
          path: toPointer(['edges', index, 'source']),
          code: 'INVALID_WORKFLOW',
          message: `END node "${source.id}" cannot have outgoing edges`,
        });
      }
      checkPort(edge.sourcePort, source, index, issues);
    }
    if (typeof edge.condition === 'string' && edge.condition.trim() !== '') {
      const problem = checkExpression(edge.condition);
      if (problem) issues.push({ path: toPointer(['edges', index, 'condition']), code: 'EXPRESSION_ERROR', message: problem.message });
    }
  });
}

function checkPort(port: unknown, source: NodeRef, edgeIndex: number, issues: ValidationIssue[]): void {
  if (port !== undefined && typeof port !== 'string') return; // reported by the schema
  const spec = typeof source.type === 'string' ? nodeSpec(source.type) : undefined;
  if (!spec) return; // the node's type is already an issue
  const path = toPointer(['edges', edgeIndex, 'sourcePort']);
  const describe = `${spec.type} node "${source.id}"`;
  if (spec.ports === 'any') {
    if (port === undefined) {
      issues.push({ path, code: 'INVALID_WORKFLOW', message: `Edges leaving ${describe} must name a port: a value of its expression, or "default"` });
    }
  } else if (spec.ports.length === 0) {
    if (port !== undefined) {
      issues.push({ path, code: 'INVALID_WORKFLOW', message: `${describe} has no ports; remove sourcePort "${port}"` });
    }
  } else if (port === undefined) {
    if (spec.portOptional) return;
    issues.push({ path, code: 'INVALID_WORKFLOW', message: `Edges leaving ${describe} must name one of its ports: ${spec.ports.join(', ')}` });
  } else if (!spec.ports.includes(port)) {
    issues.push({ path, code: 'INVALID_WORKFLOW', message: `${describe} has no port "${port}"; its ports are ${spec.ports.join(', ')}` });
  }
}

/** Graph rules: exactly one START, at least one END, everything reachable, every non-END node has a way out (detached nodes excepted). */
function checkGraph(rawNodes: unknown[], rawEdges: unknown[], nodes: Map<string, NodeRef>, issues: ValidationIssue[], detached: Set<string>): void {
  const starts: number[] = [];
  let hasEnd = false;
  rawNodes.forEach((node, index) => {
    if (!isPlainObject(node)) return;
    if (node.type === 'START') starts.push(index);
    if (node.type === 'END') hasEnd = true;
  });
  if (starts.length === 0) {
    issues.push({ path: '/nodes', code: 'INVALID_WORKFLOW', message: 'The workflow needs exactly one START node; it has none' });
  }
  for (const index of starts.slice(1)) {
    issues.push({
      path: toPointer(['nodes', index, 'type']),
      code: 'INVALID_WORKFLOW',
      message: `The workflow needs exactly one START node; this is START number ${starts.indexOf(index) + 1}`,
    });
  }
  if (!hasEnd) {
    issues.push({ path: '/nodes', code: 'INVALID_WORKFLOW', message: 'The workflow needs at least one END node; it has none' });
  }

  const outgoing = new Map<string, string[]>();
  for (const edge of rawEdges) {
    if (!isPlainObject(edge) || typeof edge.source !== 'string' || !nodes.has(edge.source)) continue;
    const targets = outgoing.get(edge.source) ?? [];
    if (typeof edge.target === 'string' && nodes.has(edge.target)) targets.push(edge.target);
    outgoing.set(edge.source, targets);
  }

  const firstStart = starts[0] === undefined ? undefined : rawNodes[starts[0]];
  const startId = isPlainObject(firstStart) && typeof firstStart.id === 'string' ? firstStart.id : undefined;
  const reached = new Set<string>();
  if (startId !== undefined && nodes.has(startId)) {
    // Failure paths are entered without an edge: from a FALLBACK_PATH, or a handler's target.
    const pending = [startId, ...failureEntries(rawNodes).filter((id) => nodes.has(id))];
    for (const id of pending) reached.add(id);
    while (pending.length > 0) {
      const id = pending.pop() as string;
      for (const target of outgoing.get(id) ?? []) {
        if (!reached.has(target)) {
          reached.add(target);
          pending.push(target);
        }
      }
    }
  }

  for (const node of nodes.values()) {
    const path = toPointer(['nodes', node.index]);
    if (typeof node.type === 'string' && POLICY_NODE_TYPES.has(node.type)) continue; // policies are not steps: no edges, no path
    if (detached.has(node.id)) continue; // run by name (compensation, state-timeout notify): no edges, no path
    if (startId !== undefined && !reached.has(node.id)) {
      issues.push({ path, code: 'INVALID_WORKFLOW', message: `Node "${node.id}" is not reachable from START` });
    }
    if (node.type !== 'END' && !outgoing.has(node.id)) {
      issues.push({ path, code: 'INVALID_WORKFLOW', message: `Node "${node.id}" has no outgoing edge; only END nodes may end a path` });
    }
  }
}

/** PARALLEL must name an existing join node; a LOOP needs a `body` and a `done` edge. */
function checkControlStructure(rawNodes: unknown[], rawEdges: unknown[], nodes: Map<string, NodeRef>, issues: ValidationIssue[]): void {
  const portsFrom = (id: string) =>
    new Set(rawEdges.flatMap((e) => (isPlainObject(e) && e.source === id && typeof e.sourcePort === 'string' ? [e.sourcePort] : [])));
  rawNodes.forEach((node, index) => {
    if (!isPlainObject(node) || typeof node.id !== 'string') return;
    const props = isPlainObject(node.properties) ? node.properties : {};
    if (node.type === 'PARALLEL' && typeof props.join === 'string') {
      if (!nodes.has(props.join) || props.join === node.id) {
        issues.push({
          path: toPointer(['nodes', index, 'properties', 'join']),
          code: 'INVALID_WORKFLOW',
          message: `PARALLEL "${node.id}" joins at "${props.join}", which is not another node of this workflow`,
        });
      }
    }
    if (node.type === 'LOOP') {
      const ports = portsFrom(node.id);
      for (const port of ['body', 'done']) {
        if (!ports.has(port)) {
          issues.push({
            path: toPointer(['nodes', index]),
            code: 'INVALID_WORKFLOW',
            message: `LOOP "${node.id}" needs an edge leaving through port "${port}"`,
          });
        }
      }
    }
  });
}

/** ERROR_HANDLER and RETRY_LOGIC apply to other nodes; they are never walked through. */
const POLICY_NODE_TYPES: ReadonlySet<string> = new Set(['ERROR_HANDLER', 'RETRY_LOGIC']);

/** Nodes a failure can lead to without an edge: FALLBACK_PATH nodes and ERROR_HANDLER targets. */
function failureEntries(rawNodes: unknown[]): string[] {
  const ids: string[] = [];
  for (const node of rawNodes) {
    if (!isPlainObject(node)) continue;
    const props = isPlainObject(node.properties) ? node.properties : {};
    if (node.type === 'FALLBACK_PATH' && typeof node.id === 'string') ids.push(node.id);
    if (node.type === 'ERROR_HANDLER' && Array.isArray(props.handlers)) {
      for (const h of props.handlers) {
        if (!isPlainObject(h)) continue;
        for (const key of ['fallbackNodeId', 'notifyNodeId']) if (typeof h[key] === 'string') ids.push(h[key]);
      }
    }
  }
  return ids;
}

/**
 * Error-handling nodes: guards and handler targets name existing nodes, handler patterns are
 * safe regular expressions, actions have the target they need, policies take no edges.
 */
function checkErrorHandling(rawNodes: unknown[], rawEdges: unknown[], nodes: Map<string, NodeRef>, issues: ValidationIssue[]): void {
  const touched = new Set(rawEdges.flatMap((e) => (isPlainObject(e) ? [e.source, e.target] : [])));
  rawNodes.forEach((node, index) => {
    if (!isPlainObject(node) || typeof node.id !== 'string' || typeof node.type !== 'string') return;
    const props = isPlainObject(node.properties) ? node.properties : {};
    const at = (...segments: Array<string | number>) => toPointer(['nodes', index, ...segments]);
    const mustExist = (id: unknown, path: string, what: string) => {
      if (typeof id === 'string' && (!nodes.has(id) || id === node.id)) {
        issues.push({ path, code: 'INVALID_WORKFLOW', message: `${node.type} "${node.id}": ${what} "${id}" is not another node of this workflow` });
      }
    };
    if (Array.isArray(props.guards)) props.guards.forEach((g, i) => mustExist(g, at('properties', 'guards', i), 'guarded node'));
    if (POLICY_NODE_TYPES.has(node.type) && touched.has(node.id)) {
      issues.push({ path: at(), code: 'INVALID_WORKFLOW', message: `${node.type} "${node.id}" is a policy for other nodes and takes no edges` });
    }
    const patterns: Array<[unknown, string]> = [];
    if (node.type === 'FALLBACK_PATH') patterns.push([props.errorCodes, at('properties', 'errorCodes')]);
    if (node.type === 'ERROR_HANDLER' && Array.isArray(props.handlers)) {
      props.handlers.forEach((h, i) => {
        if (!isPlainObject(h)) return;
        patterns.push([h.pattern, at('properties', 'handlers', i, 'pattern')]);
        mustExist(h.fallbackNodeId, at('properties', 'handlers', i, 'fallbackNodeId'), 'fallback node');
        mustExist(h.notifyNodeId, at('properties', 'handlers', i, 'notifyNodeId'), 'notification node');
        const needs = h.action === 'fallback' ? 'fallbackNodeId' : h.action === 'notify' ? 'notifyNodeId' : undefined;
        if (needs && typeof h[needs] !== 'string') {
          issues.push({ path: at('properties', 'handlers', i), code: 'INVALID_WORKFLOW', message: `the ${String(h.action)} action needs ${needs}` });
        }
      });
    }
    for (const [pattern, path] of patterns) {
      if (typeof pattern !== 'string') continue;
      const problem = regexProblem(pattern);
      if (problem) issues.push({ path, code: 'INVALID_WORKFLOW', message: `not a usable error-code pattern: ${problem}` });
    }
  });
}

function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
  } catch (err) {
    return (err as Error).message;
  }
  return unsafeRegexReason(pattern);
}

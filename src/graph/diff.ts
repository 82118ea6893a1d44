/**
 * Differences between two versions of a definition, and whether running executions can move
 * from the old to the new one.
 *
 * Paths name nodes, edges and variables by key, not by array index (indices shift when
 * something is inserted): `/nodes/<id>/properties/<name>`, `/edges/<key>/condition`,
 * `/variables/<name>`, `/settings/maxSteps`. An edge's key is its `id`, or
 * `<source>-><target>:<sourcePort>` when it has none.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { isPlainObject, jsonEqual, toPointer } from './json';
import { schemaTightenings } from './schema-tightening';
import type { GraphEdge, GraphNode, WorkflowDefinition } from './schema';

/** The kinds of change. */
export type ChangeType =
  'node_added' | 'node_removed' | 'node_modified' | 'edge_added' | 'edge_removed' | 'edge_modified' | 'variable_changed' | 'config_changed';

/** One change; `oldValue` is absent for additions, `newValue` for removals. */
export interface DefinitionChange {
  type: ChangeType;
  path: string;
  oldValue?: unknown;
  newValue?: unknown;
}

/**
 * - `compatible`: running executions can continue on the new version as they are.
 * - `requires_migration`: their state must be converted (a variable changed type).
 * - `breaking`: they may sit at a node that no longer exists or now does something else
 *   (a node removed or its type changed, or an event edge they wait for removed).
 * `requires_migration` also covers a VALIDATION schema that became stricter (schema-tightening.ts).
 */
export type Compatibility = 'compatible' | 'breaking' | 'requires_migration';

/** Why a comparison is not `compatible`: one entry per finding, at the path of the change. */
export interface CompatibilityReason {
  /** The verdict this finding alone calls for. */
  compatibility: Exclude<Compatibility, 'compatible'>;
  /**
   * `node_removed`, `node_type_changed`, `trigger_edge_removed` (instances may wait there);
   * `variable_type_changed`, `input_schema_stricter` (their state or data may no longer fit).
   */
  code: 'node_removed' | 'node_type_changed' | 'trigger_edge_removed' | 'variable_type_changed' | 'input_schema_stricter';
  path: string;
  message: string;
}

/** The result of {@link diffDefinitions}. */
export interface DefinitionDiff {
  isDifferent: boolean;
  changeCount: number;
  changes: DefinitionChange[];
  compatibility: Compatibility;
  /** Every finding behind the verdict, breaking ones first; empty when compatible. */
  reasons: CompatibilityReason[];
}

/** Top-level fields compared as configuration (anything else of the definition is a node, edge or variable). */
const CONFIG_FIELDS = ['name', 'description', 'settings', 'tags', 'metadata'] as const;

/**
 * Compares two parsed definitions. Nodes are matched by id; edges by id, then the remaining
 * ones by source, target and source port. Changes are listed nodes first (in `b`'s order,
 * then removals in `a`'s), then edges, variables and configuration. Never throws.
 */
export function diffDefinitions(a: WorkflowDefinition, b: WorkflowDefinition): DefinitionDiff {
  const changes: DefinitionChange[] = [];
  const reasons: CompatibilityReason[] = [];
  const reason = (compatibility: CompatibilityReason['compatibility'], code: CompatibilityReason['code'], segments: string[], message: string) =>
    reasons.push({ compatibility, code, path: toPointer(segments), message });

  // Nodes.
  const oldNodes = new Map(a.nodes.map((n) => [n.id, n] as const));
  const newIds = new Set(b.nodes.map((n) => n.id));
  for (const node of b.nodes) {
    const old = oldNodes.get(node.id);
    if (!old) {
      changes.push({ type: 'node_added', path: toPointer(['nodes', node.id]), newValue: node });
      continue;
    }
    if (old.type !== node.type) {
      reason(
        'breaking',
        'node_type_changed',
        ['nodes', node.id, 'type'],
        `node ${node.id} changed from ${old.type} to ${node.type}: instances there would resume as something else`,
      );
    } else if (node.type === 'VALIDATION') {
      for (const t of schemaTightenings(old.properties.schema, node.properties.schema)) {
        const at = ['nodes', node.id, 'properties', 'schema'];
        reason(
          'requires_migration',
          'input_schema_stricter',
          at,
          `the schema of node ${node.id} is stricter (${t.path || '/'}: ${t.message}): data accepted before may now be refused`,
        );
      }
    }
    changes.push(...nodeChanges(old, node));
  }
  for (const node of a.nodes) {
    if (!newIds.has(node.id)) {
      reason(
        'breaking',
        'node_removed',
        ['nodes', node.id],
        `node ${node.id} (${node.type}) was removed: instances waiting or suspended there could not resume`,
      );
      changes.push({ type: 'node_removed', path: toPointer(['nodes', node.id]), oldValue: node });
    }
  }

  // Edges.
  const [matched, added, removed] = matchEdges(a.edges, b.edges);
  for (const [oldEdge, newEdge] of matched) {
    const key = edgeKey(newEdge);
    for (const field of unionKeys(oldEdge, newEdge)) {
      const before = (oldEdge as Record<string, unknown>)[field];
      const after = (newEdge as Record<string, unknown>)[field];
      if (!jsonEqual(before, after)) {
        changes.push(change('edge_modified', ['edges', key, field], before, after));
      }
    }
  }
  for (const edge of added) changes.push({ type: 'edge_added', path: toPointer(['edges', edgeKey(edge)]), newValue: edge });
  for (const edge of removed) {
    changes.push({ type: 'edge_removed', path: toPointer(['edges', edgeKey(edge)]), oldValue: edge });
    if (edge.trigger !== undefined && !added.some((e) => e.source === edge.source && e.trigger === edge.trigger)) {
      reason(
        'breaking',
        'trigger_edge_removed',
        ['edges', edgeKey(edge)],
        `the edge from ${edge.source} on event ${edge.trigger} was removed: instances waiting for that event would wait forever`,
      );
    }
  }

  // Variables.
  for (const name of unionKeys(a.variables, b.variables)) {
    const before = a.variables[name];
    const after = b.variables[name];
    if (jsonEqual(before, after)) continue;
    if (before && after && before.type !== after.type) {
      reason(
        'requires_migration',
        'variable_type_changed',
        ['variables', name],
        `variable ${name} changed type from ${before.type} to ${after.type}: values instances hold must be converted`,
      );
    }
    changes.push(change('variable_changed', ['variables', name], before, after));
  }

  // Configuration.
  for (const field of CONFIG_FIELDS) {
    const before: unknown = a[field];
    const after: unknown = b[field];
    if (jsonEqual(before, after)) continue;
    if (isPlainObject(before) && isPlainObject(after)) {
      for (const key of unionKeys(before, after)) {
        if (!jsonEqual(before[key], after[key])) changes.push(change('config_changed', [field, key], before[key], after[key]));
      }
    } else {
      changes.push(change('config_changed', [field], before, after));
    }
  }

  const breaking = reasons.filter((r) => r.compatibility === 'breaking');
  const migration = reasons.filter((r) => r.compatibility === 'requires_migration');
  return {
    isDifferent: changes.length > 0,
    changeCount: changes.length,
    changes,
    compatibility: breaking.length > 0 ? 'breaking' : migration.length > 0 ? 'requires_migration' : 'compatible',
    reasons: [...breaking, ...migration],
  };
}

/** One `node_modified` per changed field; `properties` is compared property by property. */
function nodeChanges(old: GraphNode, node: GraphNode): DefinitionChange[] {
  const out: DefinitionChange[] = [];
  for (const field of unionKeys(old, node)) {
    const before = (old as Record<string, unknown>)[field];
    const after = (node as Record<string, unknown>)[field];
    if (jsonEqual(before, after)) continue;
    if (field === 'properties' && isPlainObject(before) && isPlainObject(after)) {
      for (const key of unionKeys(before, after)) {
        if (!jsonEqual(before[key], after[key])) {
          out.push(change('node_modified', ['nodes', node.id, 'properties', key], before[key], after[key]));
        }
      }
    } else {
      out.push(change('node_modified', ['nodes', node.id, field], before, after));
    }
  }
  return out;
}

function matchEdges(a: GraphEdge[], b: GraphEdge[]): [Array<[GraphEdge, GraphEdge]>, GraphEdge[], GraphEdge[]] {
  const matched: Array<[GraphEdge, GraphEdge]> = [];
  const oldById = new Map(a.filter((e) => e.id !== undefined).map((e) => [e.id as string, e] as const));
  const oldLeft = new Set(a);
  const newLeft: GraphEdge[] = [];
  for (const edge of b) {
    const old = edge.id !== undefined ? oldById.get(edge.id) : undefined;
    if (old && oldLeft.has(old)) {
      matched.push([old, edge]);
      oldLeft.delete(old);
    } else {
      newLeft.push(edge);
    }
  }
  const added: GraphEdge[] = [];
  for (const edge of newLeft) {
    const old = [...oldLeft].find((o) => endpointKey(o) === endpointKey(edge) && (o.id === undefined || edge.id === undefined));
    if (old) {
      matched.push([old, edge]);
      oldLeft.delete(old);
    } else {
      added.push(edge);
    }
  }
  return [matched, added, [...oldLeft]];
}

function endpointKey(edge: GraphEdge): string {
  return `${edge.source}->${edge.target}:${edge.sourcePort ?? ''}`;
}

function edgeKey(edge: GraphEdge): string {
  return edge.id ?? endpointKey(edge);
}

function unionKeys(a: object | undefined, b: object | undefined): string[] {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  return [...keys];
}

function change(type: ChangeType, segments: string[], oldValue: unknown, newValue: unknown): DefinitionChange {
  const c: DefinitionChange = { type, path: toPointer(segments) };
  if (oldValue !== undefined) c.oldValue = oldValue;
  if (newValue !== undefined) c.newValue = newValue;
  return c;
}

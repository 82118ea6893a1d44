/**
 * Graph rules for nodes that run without an edge leading to them: compensation nodes (a side
 * effect's `compensation`, run when the execution fails with `settings.rollbackOnFailure`) and
 * the NOTIFICATION nodes of `settings.stateTimeouts` notify rules. Such *detached* nodes run
 * alone, so they take no edges and need no path from START; `validate.ts` exempts them.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import type { ValidationIssue } from './errors';
import { isPlainObject, toPointer } from './json';
import { ANY_STATE } from './state-timeout-schema';

/** Types that cannot run alone: they choose among edges, walk bodies, or are policies. */
const NOT_DETACHABLE: ReadonlySet<string> = new Set([
  'START',
  'END',
  'IF_THEN_ELSE',
  'SWITCH',
  'LOOP',
  'PARALLEL',
  'ERROR_HANDLER',
  'RETRY_LOGIC',
  'FALLBACK_PATH',
]);

interface RawNode {
  index: number;
  id: string;
  type: string;
  properties: Record<string, unknown>;
}

function rawNodesOf(raw: Record<string, unknown>): RawNode[] {
  if (!Array.isArray(raw.nodes)) return [];
  return raw.nodes.flatMap((node, index) =>
    isPlainObject(node) && typeof node.id === 'string' && typeof node.type === 'string'
      ? [{ index, id: node.id, type: node.type, properties: isPlainObject(node.properties) ? node.properties : {} }]
      : [],
  );
}

function stateTimeoutsOf(raw: Record<string, unknown>): Record<string, unknown> {
  const settings = isPlainObject(raw.settings) ? raw.settings : {};
  return isPlainObject(settings.stateTimeouts) ? settings.stateTimeouts : {};
}

/**
 * Ids of the nodes that run only when named (compensations, state-timeout notifications). A
 * name that is not a usable target is reported at the name, so the node named is left to the
 * usual graph rules.
 */
export function detachedNodeIds(raw: Record<string, unknown>): Set<string> {
  const ids = new Set<string>();
  const nodes = rawNodesOf(raw);
  const types = new Map(nodes.map((n) => [n.id, n.type]));
  for (const node of nodes) {
    const target = node.properties.compensation;
    const type = typeof target === 'string' ? types.get(target) : undefined;
    if (typeof target === 'string' && target !== node.id && type !== undefined && !NOT_DETACHABLE.has(type)) ids.add(target);
  }
  for (const spec of Object.values(stateTimeoutsOf(raw))) {
    if (!isPlainObject(spec) || !Array.isArray(spec.actions)) continue;
    for (const action of spec.actions) {
      if (isPlainObject(action) && action.type === 'notify' && typeof action.target === 'string' && types.get(action.target) === 'NOTIFICATION') {
        ids.add(action.target);
      }
    }
  }
  return ids;
}

/** Node types that wait by themselves, so a state timeout can name them. */
const WAITING_TYPES: ReadonlySet<string> = new Set(['WAIT', 'EVENT_SUBSCRIBER', 'APPROVAL']);

/**
 * Compensations name another node that can run alone; state-timeout keys name waiting nodes
 * (a WAIT, EVENT_SUBSCRIBER or APPROVAL, or a node with triggered outgoing edges); notify rules
 * name a NOTIFICATION node; detached nodes take no edges.
 */
export function checkDetachedNodes(raw: Record<string, unknown>, issues: ValidationIssue[]): void {
  const nodes = rawNodesOf(raw);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = (Array.isArray(raw.edges) ? raw.edges : []).filter(isPlainObject);

  for (const node of nodes) {
    const target = node.properties.compensation;
    if (typeof target !== 'string') continue;
    const path = toPointer(['nodes', node.index, 'properties', 'compensation']);
    const comp = byId.get(target);
    if (!comp || target === node.id) {
      issues.push({ path, code: 'INVALID_WORKFLOW', message: `${node.type} "${node.id}": compensation "${target}" is not another node of this workflow` });
    } else if (NOT_DETACHABLE.has(comp.type)) {
      issues.push({ path, code: 'INVALID_WORKFLOW', message: `${node.type} "${node.id}": compensation "${target}" is a ${comp.type}, which cannot run alone` });
    }
  }

  const waitsOnTrigger = new Set(edges.filter((e) => typeof e.trigger === 'string').map((e) => e.source));
  for (const [key, spec] of Object.entries(stateTimeoutsOf(raw))) {
    const at = (...segments: Array<string | number>) => toPointer(['settings', 'stateTimeouts', key, ...segments]);
    if (key !== ANY_STATE) {
      const state = byId.get(key);
      if (!state) {
        issues.push({ path: at(), code: 'INVALID_WORKFLOW', message: `stateTimeouts: "${key}" is not the id of a node (or "${ANY_STATE}")` });
      } else if (!WAITING_TYPES.has(state.type) && !waitsOnTrigger.has(key)) {
        issues.push({
          path: at(),
          code: 'INVALID_WORKFLOW',
          message: `stateTimeouts: node "${key}" never waits (it is not a WAIT, EVENT_SUBSCRIBER or APPROVAL, and no edge leaving it has a trigger)`,
        });
      }
    }
    if (!isPlainObject(spec) || !Array.isArray(spec.actions)) continue; // shape issues come from the schema
    spec.actions.forEach((action, i) => {
      if (!isPlainObject(action) || action.type !== 'notify' || typeof action.target !== 'string') return;
      const notify = byId.get(action.target);
      if (notify?.type !== 'NOTIFICATION') {
        issues.push({
          path: at('actions', i, 'target'),
          code: 'INVALID_WORKFLOW',
          message: `stateTimeouts: notify target "${action.target}" is not a NOTIFICATION node of this workflow`,
        });
      }
    });
  }

  const detached = detachedNodeIds(raw);
  const touched = new Set(edges.flatMap((e) => [e.source, e.target]));
  for (const id of detached) {
    const node = byId.get(id);
    if (node && touched.has(id)) {
      issues.push({
        path: toPointer(['nodes', node.index]),
        code: 'INVALID_WORKFLOW',
        message: `${node.type} "${id}" is run by name (a compensation or a state-timeout notification) and takes no edges`,
      });
    }
  }
}

/**
 * What became of one recorded execution under a candidate version (docs/what-if.md): its
 * category, where the paths part, a JSON diff of the outputs, and the nodes the difference is put
 * down to; and the totals of a whole what-if.
 */
import { isPlainObject, jsonEqual, toPointer } from '../graph/json';
import { WHAT_IF_CATEGORIES, type SimulatedRun, type WhatIfCategory, type WhatIfError, type WhatIfSummary } from '../shared/what-if';

/** How the execution ran when it was recorded. */
export interface RecordedOutcome {
  status: string;
  output: unknown;
  error: WhatIfError | null;
  nodes: Array<{ nodeId: string; iteration: number; output?: unknown; error?: unknown }>;
}

/** One difference between two JSON values, at a JSON Pointer. */
export interface JsonChange {
  path: string;
  then?: unknown;
  now?: unknown;
}

/** Where two paths part: the last node both visited, then the first node each went to. */
export interface Divergence {
  index: number;
  after: string | null;
  then: string | null;
  now: string | null;
}

export interface Comparison {
  category: WhatIfCategory;
  culprits: string[];
  divergence?: Divergence;
  diff?: JsonChange[];
}

/** A diff this long says enough. */
const MAX_CHANGES = 100;

/** Compares a recorded execution with its simulation under the candidate version. */
export function compareRun(then: RecordedOutcome, now: SimulatedRun): Comparison {
  const thenPath = then.nodes.map((n) => n.nodeId);
  const divergence = firstDivergence(thenPath, now.path);
  const base = divergence ? { divergence } : {};
  if (now.unanswered.length > 0) return { category: 'unanswered', culprits: unique(now.unanswered), ...base };
  if (then.status === 'completed' && now.status === 'failed') return { category: 'now_fails', culprits: nodeOf(now.error), ...base };
  if (then.status !== 'completed' && now.status === 'completed') return { category: 'now_succeeds', culprits: nodeOf(then.error), ...base };
  if (divergence) return { category: 'path_changed', culprits: [divergence.after ?? divergence.now ?? divergence.then ?? ''], divergence };
  const diff = jsonDiff({ output: then.output, error: errorKey(then.error) }, { output: now.output, error: errorKey(now.error) });
  if (diff.length === 0) return { category: 'same', culprits: [] };
  return { category: 'output_changed', culprits: firstChangedNode(then, now), diff };
}

/** The changes from `a` to `b` (at most {@link MAX_CHANGES}), object members by name and array items by place. */
export function jsonDiff(a: unknown, b: unknown, path: Array<string | number> = [], out: JsonChange[] = []): JsonChange[] {
  if (out.length >= MAX_CHANGES || jsonEqual(a, b)) return out;
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const key of unique([...Object.keys(a), ...Object.keys(b)])) jsonDiff(a[key], b[key], [...path, key], out);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) jsonDiff(a[i], b[i], [...path, i], out);
    return out;
  }
  out.push({ path: toPointer(path), ...(a === undefined ? {} : { then: a }), ...(b === undefined ? {} : { now: b }) });
  return out;
}

/** Totals per category, shares, and the nodes most differences are put down to. */
export function summarize(total: number, rows: Array<{ category: WhatIfCategory | null; culprits: string[] | null }>): WhatIfSummary {
  const counts = Object.fromEntries(WHAT_IF_CATEGORIES.map((c) => [c, 0])) as Record<WhatIfCategory, number>;
  const byNode = new Map<string, number>();
  let processed = 0;
  for (const row of rows) {
    if (!row.category) continue;
    processed++;
    counts[row.category]++;
    for (const nodeId of row.culprits ?? []) byNode.set(nodeId, (byNode.get(nodeId) ?? 0) + 1);
  }
  const shares = Object.fromEntries(WHAT_IF_CATEGORIES.map((c) => [c, processed === 0 ? 0 : counts[c] / processed])) as Record<WhatIfCategory, number>;
  const topNodes = [...byNode.entries()]
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
    .slice(0, 10)
    .map(([nodeId, n]) => ({ nodeId, executions: n }));
  const changedPercentage = processed === 0 ? 0 : ((processed - counts.same) / processed) * 100;
  return { total, processed, counts, shares, changedPercentage, topNodes };
}

function firstDivergence(then: string[], now: string[]): Divergence | undefined {
  const n = Math.max(then.length, now.length);
  for (let i = 0; i < n; i++) {
    if (then[i] !== now[i]) return { index: i, after: then[i - 1] ?? null, then: then[i] ?? null, now: now[i] ?? null };
  }
  return undefined;
}

/** The first node (in the recorded order) whose output or failure is not what it was. */
function firstChangedNode(then: RecordedOutcome, now: SimulatedRun): string[] {
  for (const [i, t] of then.nodes.entries()) {
    const n = now.nodes[i];
    if (!n || !jsonEqual(t.output ?? null, n.output ?? null) || !jsonEqual(errorKey(t.error), errorKey(n.error))) return [t.nodeId];
  }
  return [];
}

/** What of a failure is compared: its code and node (messages may carry ids or times). */
function errorKey(error: unknown): unknown {
  if (!isPlainObject(error)) return null;
  return { code: error.code ?? null, nodeId: error.nodeId ?? null };
}

function nodeOf(error: WhatIfError | null): string[] {
  return error?.nodeId ? [error.nodeId] : [];
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

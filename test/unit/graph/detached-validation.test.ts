import { validateDefinition } from '../../../src/graph';
import { linear } from './fixtures';

function codesAndPaths(raw: unknown): string[] {
  const result = validateDefinition(raw);
  return result.ok ? [] : result.issues.map((i) => `${i.code} ${i.path}`);
}

const call = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'API_CALL',
  properties: { url: 'https://example.com/x', ...extra },
});
const notification = { id: 'ping', type: 'NOTIFICATION', properties: { channels: ['webhook'], message: 'hi', webhookUrl: 'https://example.com/hook' } };

/** start → charge → review (waits for `approve`) → end, plus detached nodes. */
function graph(opts: { compensation?: string; detached?: unknown[]; stateTimeouts?: unknown; extraEdges?: unknown[] } = {}) {
  const def = linear([
    call('charge', opts.compensation ? { compensation: opts.compensation } : {}),
    { id: 'review', type: 'DATA_TRANSFORMATION', properties: { assign: { state: '"review"' } } },
  ]);
  const edges = def.edges as Array<Record<string, unknown>>;
  (edges[2] as Record<string, unknown>).trigger = 'approve';
  return {
    ...def,
    nodes: [...(def.nodes as unknown[]), ...(opts.detached ?? [])],
    edges: [...edges, ...(opts.extraEdges ?? [])],
    settings: { rollbackOnFailure: true, ...(opts.stateTimeouts ? { stateTimeouts: opts.stateTimeouts } : {}) },
  };
}

describe('compensation', () => {
  it('accepts a detached compensation node without a path from START, and keeps settings as written', () => {
    const result = validateDefinition(graph({ compensation: 'refund', detached: [call('refund')] }));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.definition.settings).toEqual({ maxSteps: 10_000, rollbackOnFailure: true });
  });

  it('refuses a missing, self-naming or control-node compensation at its JSON path', () => {
    expect(codesAndPaths(graph({ compensation: 'nowhere' }))).toEqual(['INVALID_WORKFLOW /nodes/1/properties/compensation']);
    expect(codesAndPaths(graph({ compensation: 'charge' }))).toEqual(['INVALID_WORKFLOW /nodes/1/properties/compensation']);
    expect(codesAndPaths(graph({ compensation: 'start' }))).toContain('INVALID_WORKFLOW /nodes/1/properties/compensation');
  });

  it('refuses edges touching a compensation node', () => {
    expect(codesAndPaths(graph({ compensation: 'refund', detached: [call('refund')], extraEdges: [{ source: 'refund', target: 'end' }] }))).toEqual([
      'INVALID_WORKFLOW /nodes/4',
    ]);
  });

  it('refuses a non-boolean rollbackOnFailure', () => {
    const def = { ...graph(), settings: { rollbackOnFailure: 'yes' } };
    expect(codesAndPaths(def)).toEqual(['VALIDATION_ERROR /settings/rollbackOnFailure']);
  });
});

describe('settings.stateTimeouts', () => {
  it('accepts rules for a triggered state, a catch-all, and a detached NOTIFICATION target', () => {
    const stateTimeouts = {
      review: {
        after: '2h',
        actions: [
          { type: 'notify', target: 'ping', message: 'late' },
          { type: 'escalate', delay: 'P1D', target: 'role:manager' },
        ],
      },
      '*': { after: '30d', actions: [{ type: 'cancel' }] },
    };
    expect(codesAndPaths(graph({ stateTimeouts, detached: [notification] }))).toEqual([]);
  });

  it('refuses keys that do not wait, bad durations, notify without a NOTIFICATION target, unknown rule types', () => {
    const stateTimeouts = {
      charge: { after: '1s', actions: [{ type: 'escalate' }] },
      review: { after: 'later', actions: [{ type: 'notify', target: 'charge' }, { type: 'notify' }, { type: 'page' }] },
      '*': { after: '1s', actions: [] },
    };
    expect(codesAndPaths(graph({ stateTimeouts })).sort()).toEqual(
      [
        'INVALID_WORKFLOW /settings/stateTimeouts/charge',
        'INVALID_WORKFLOW /settings/stateTimeouts/review/actions/0/target',
        'VALIDATION_ERROR /settings/stateTimeouts/review/after',
        'VALIDATION_ERROR /settings/stateTimeouts/review/actions/1/target',
        'VALIDATION_ERROR /settings/stateTimeouts/review/actions/2/type',
        'VALIDATION_ERROR /settings/stateTimeouts/*/actions',
      ].sort(),
    );
  });
});

/**
 * The graphs whose recorded histories guard replay compatibility. Re-record only when adding a
 * history (`npm run histories:record`); existing files are the past that new code must replay.
 *
 * `timeout-setting-before-patch.json` is not listed here on purpose: it was recorded by the code
 * before `settings.timeoutMs` was enforced (a graph with timeoutMs 600000, a 100 ms WAIT and an
 * END doubling input.n) and proves the `weft-execution-timeout` patch keeps such runs replaying.
 * Re-recording it with today's code would lose exactly that.
 */
export function recordedGraphs(serviceUrl: string): Record<string, { graph: unknown; input: unknown }> {
  return {
    'core-nodes': {
      input: { region: 'EU', items: [{ price: 60, qty: 2 }], orderId: 'SO-1' },
      graph: {
        name: 'core-nodes',
        variables: { threshold: { type: 'number', value: 100 } },
        nodes: [
          { id: 'start', type: 'START' },
          { id: 'total', type: 'DATA_TRANSFORMATION', properties: { assign: { total: '$sum(input.items.(price * qty))' } } },
          { id: 'big', type: 'IF_THEN_ELSE', properties: { condition: 'vars.total > vars.threshold' } },
          { id: 'route', type: 'SWITCH', properties: { expression: 'input.region' } },
          { id: 'pause', type: 'WAIT', properties: { duration: '200ms' } },
          {
            id: 'notify',
            type: 'API_CALL',
            name: 'Notify ERP',
            properties: { method: 'POST', url: `${serviceUrl}/orders`, body: { id: '${input.orderId}', total: '${vars.total}' } },
          },
          { id: 'done', type: 'END', properties: { output: { total: 'vars.total', status: 'nodes.notify.output.status' } } },
          { id: 'small', type: 'END' },
        ],
        edges: [
          { source: 'start', target: 'total' },
          { source: 'total', target: 'big' },
          { source: 'big', sourcePort: 'true', target: 'route' },
          { source: 'big', sourcePort: 'false', target: 'small' },
          { source: 'route', sourcePort: 'EU', target: 'pause' },
          { source: 'route', sourcePort: 'default', target: 'small' },
          { source: 'pause', target: 'notify' },
          { source: 'notify', target: 'done' },
        ],
      },
    },
    'node-failure': {
      input: {},
      graph: {
        name: 'node-failure',
        nodes: [
          { id: 'start', type: 'START' },
          {
            id: 'missing',
            type: 'API_CALL',
            properties: { url: `${serviceUrl}/missing`, retry: { maxAttempts: 3, strategy: 'LINEAR', initialIntervalMs: 50 } },
          },
          { id: 'end', type: 'END' },
        ],
        edges: [
          { source: 'start', target: 'missing' },
          { source: 'missing', target: 'end' },
        ],
      },
    },
  };
}

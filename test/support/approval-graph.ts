/**
 * A purchase that waits at one APPROVAL node (step `lead`, anyone with the `manager` role) and
 * ends with `{ status }`: the approval's status when approved, `'rejected'` otherwise.
 */
export function purchaseApprovalGraph() {
  return {
    name: 'purchase',
    nodes: [
      { id: 'start', type: 'START' },
      {
        id: 'approve',
        type: 'APPROVAL',
        properties: { title: 'Buy ${input.item}', chain: { steps: [{ id: 'lead', approvers: [{ type: 'role', identifier: 'manager' }] }] } },
      },
      { id: 'ok', type: 'END', properties: { output: { status: 'nodes.approve.output.status' } } },
      { id: 'no', type: 'END', properties: { output: { status: "'rejected'" } } },
    ],
    edges: [
      { source: 'start', target: 'approve' },
      { source: 'approve', sourcePort: 'approved', target: 'ok' },
      { source: 'approve', sourcePort: 'rejected', target: 'no' },
    ],
  };
}

import { NodeScope, OutputsInItemOrder } from '../../../src/workflows/node-scopes';

test('an inner scope reads the outputs it opened with, then its own; the enclosing scope sees them only when handed back', () => {
  const outputs = { before: { output: 1 } };
  const root = NodeScope.root(outputs);
  const a = root.open();
  const b = root.open();
  a.set('fetch', 'a');
  b.set('fetch', 'b');
  expect(a.outputs).toEqual({ before: { output: 1 }, fetch: { output: 'a' } });
  expect(b.outputs.fetch).toEqual({ output: 'b' });
  expect(outputs).toEqual({ before: { output: 1 } });
  root.absorb(a.written());
  root.absorb(b.written());
  // The root writes the execution's outputs in place; the later scope wins.
  expect(outputs).toEqual({ before: { output: 1 }, fetch: { output: 'b' } });
  expect(a.written()).toEqual({ fetch: { output: 'a' } });
});

test('a nested scope hands its outputs on through the one around it', () => {
  const root = NodeScope.root({});
  const iteration = root.open();
  const branch = iteration.open();
  branch.set('left', 'L');
  iteration.absorb(branch.written());
  expect(iteration.written()).toEqual({ left: { output: 'L' } });
  root.absorb(iteration.written());
  expect(root.outputs).toEqual({ left: { output: 'L' } });
});

test('outputs of iterations finishing out of order come out as if in item order', () => {
  const finished = new OutputsInItemOrder();
  finished.add(2, { fetch: { output: 'item 2' } });
  finished.add(0, { fetch: { output: 'item 0' }, only0: { output: 'zero' } });
  finished.add(1, undefined);
  expect(finished.outputs()).toEqual({ fetch: { output: 'item 2' }, only0: { output: 'zero' } });
});

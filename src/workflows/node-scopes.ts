/**
 * Node outputs per LOOP iteration and PARALLEL branch (GRAPH.md: inside an iteration or a
 * branch, `nodes.<id>` resolves to its own outputs first; concurrent iterations never see each
 * other's). Iterations and branches run at once in one workflow, so one shared record of outputs
 * would let a body read another iteration's answer (issue 13: `collect` saw one item's response
 * five times).
 *
 * A {@link NodeScope} is what one iteration or branch reads as `nodes` and writes when its nodes
 * complete: a copy of the enclosing outputs taken when it opens, overlaid with its own. When it
 * ends, its own outputs are handed to the enclosing scope — in item or branch order, never in
 * the order they happened to finish, so that what the nodes after a LOOP or PARALLEL read is
 * the same in every run (and in every replay).
 *
 * Executions recorded before scopes existed shared one record; they keep doing so
 * ({@link NODE_SCOPES_PATCH}).
 */

/** patched() id: executions recorded before node outputs were scoped share them between iterations and branches. */
export const NODE_SCOPES_PATCH = 'weft-node-output-scopes';

/** Node outputs by node id, as expressions read them (`nodes.<id>.output`). Plain JSON. */
export type NodeOutputs = Record<string, { output: unknown }>;

/** The node outputs one walk reads and writes: the execution's own, or an iteration's or a branch's. */
export class NodeScope {
  /** Outputs of nodes that completed in this scope, or in scopes handed to it. */
  private readonly own: NodeOutputs = {};

  private constructor(
    /** What `nodes` is in this scope's expressions. */
    readonly outputs: NodeOutputs,
    private readonly isRoot: boolean,
  ) {}

  /** The execution's scope: reads and writes `outputs` in place. */
  static root(outputs: NodeOutputs): NodeScope {
    return new NodeScope(outputs, true);
  }

  /** A scope inside this one: it starts from this scope's outputs as they are now. */
  open(): NodeScope {
    return new NodeScope({ ...this.outputs }, false);
  }

  set(nodeId: string, output: unknown): void {
    const entry = { output };
    this.outputs[nodeId] = entry;
    if (!this.isRoot) this.own[nodeId] = entry;
  }

  /** The outputs written in this scope, to hand to the enclosing one. */
  written(): NodeOutputs {
    return this.own;
  }

  /** Takes over `outputs` (a finished inner scope's, or a LOOP batch's) as if its nodes had completed here. */
  absorb(outputs: NodeOutputs): void {
    for (const [nodeId, { output }] of Object.entries(outputs)) this.set(nodeId, output);
  }
}

/**
 * What concurrent iterations wrote, as if handed on in item order although they finish in any
 * order: of each node, the output of the latest iteration that ran it. Holds one output per node,
 * not every iteration's (a loop of thousands of API calls would keep every response otherwise).
 */
export class OutputsInItemOrder {
  private readonly latest: Record<string, { index: number; output: unknown }> = {};

  /** Notes what iteration `index` wrote. */
  add(index: number, written: NodeOutputs | undefined): void {
    for (const [nodeId, { output }] of Object.entries(written ?? {})) {
      const held = this.latest[nodeId];
      if (!held || held.index < index) this.latest[nodeId] = { index, output };
    }
  }

  /** The outputs to hand on. */
  outputs(): NodeOutputs {
    const out: NodeOutputs = {};
    for (const [nodeId, { output }] of Object.entries(this.latest)) out[nodeId] = { output };
    return out;
  }
}

/**
 * Following one execution node by node: polls the instance and its node trace
 * (`GET /workflow-instances/{id}` and `…/history`) and reports each node as it starts and ends,
 * and each change of the instance's status, until it ends.
 */
import { type WeftClient, seg } from './client';
import { EXIT, type ExitCode } from './exit-codes';
import { loopPlans, loopProgress, type LoopPlan, progressBar } from './loop-progress';
import type { Output } from './output';

/** A node run as the trace lists it. */
interface TraceEntry {
  seq: number;
  nodeId: string;
  nodeType: string;
  nodeName?: string;
  iteration?: number;
  status: string;
  attempts?: number;
  error?: { code?: string; message?: string } | null;
  startedAt?: string;
  endedAt?: string | null;
  output?: unknown;
}

/** The instance as `GET /workflow-instances/{id}` answers it. */
export interface InstanceView {
  id: string;
  workflowId: string;
  version: string;
  status: string;
  input: unknown;
  output: unknown;
  error: { code?: string; message?: string; nodeId?: string } | null;
  currentNodeId: string | null;
  durationMs: number | null;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const MARK: Record<string, string> = { running: '▸', completed: '✓', failed: '✗', cancelled: '⊘' };

/** What an ended instance means for the exit code. */
export function exitForStatus(status: string): ExitCode {
  return status === 'completed' ? EXIT.OK : EXIT.ENDED_BADLY;
}

function ms(from?: string, to?: string | null): string {
  if (!from || !to) return '';
  const d = Date.parse(to) - Date.parse(from);
  return Number.isFinite(d) ? ` ${d < 1000 ? `${d}ms` : `${(d / 1000).toFixed(1)}s`}` : '';
}

function nodeLine(e: TraceEntry): string {
  const name = `${e.nodeId}${e.iteration ? ` #${e.iteration + 1}` : ''} (${e.nodeType})`;
  const attempts = e.attempts && e.attempts > 1 ? `, ${e.attempts} attempts` : '';
  const error = e.error ? `: ${e.error.code ?? 'ERROR'} ${e.error.message ?? ''}`.trimEnd() : '';
  return `  ${MARK[e.status] ?? '·'} ${name} ${e.status}${ms(e.startedAt, e.endedAt)}${attempts}${error}`;
}

/** The closing lines of an ended instance: status, duration, output or error. */
export function summaryLines(i: InstanceView): string[] {
  const took = i.durationMs !== null ? ` in ${(i.durationMs / 1000).toFixed(1)}s` : '';
  const lines = [`${i.id} ${i.status}${took}`];
  if (i.error) lines.push(`error: ${i.error.code ?? 'ERROR'}${i.error.nodeId ? ` at ${i.error.nodeId}` : ''}: ${i.error.message ?? ''}`);
  if (i.status === 'completed') lines.push(`output: ${JSON.stringify(i.output)}`);
  return lines;
}

/** Reports each running LOOP's progress when it changes; reads the version's graph once, at the first LOOP. */
class LoopReporter {
  private plans: Map<string, LoopPlan> | undefined;
  private graph: Parameters<typeof loopPlans>[0] | undefined;
  private readonly last = new Map<number, string>();

  constructor(
    private readonly client: WeftClient,
    private readonly out: Output,
  ) {}

  async report(instance: InstanceView, trace: TraceEntry[]): Promise<void> {
    const running = trace.filter((e) => e.nodeType === 'LOOP' && e.status === 'running');
    if (running.length === 0) return;
    if (!this.graph) {
      const version = await this.client.get<{ graph: Parameters<typeof loopPlans>[0] }>(
        `/workflows/${seg(instance.workflowId)}/versions/${seg(instance.version)}`,
      );
      this.graph = version.body.graph;
      this.plans = loopPlans(this.graph);
    }
    for (const loop of running) {
      const plan = this.plans?.get(loop.nodeId);
      if (!plan) continue;
      const { done, total } = loopProgress(plan, loop, trace, { input: instance.input, graph: this.graph, execution: instance });
      const key = `${done}/${total}`;
      if (this.last.get(loop.seq) === key) continue;
      this.last.set(loop.seq, key);
      this.out.event(
        { type: 'loop', instanceId: instance.id, nodeId: loop.nodeId, seq: loop.seq, done, total: total ?? null },
        () => `  ⟳ ${loop.nodeId} (LOOP) ${progressBar(done, total)}`,
      );
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows `id` until it ends and answers its last view. Each node change is an event (a JSON line
 * with `--json` when `events` is set, else a line for people).
 */
export async function followInstance(client: WeftClient, out: Output, id: string, opts: { intervalMs: number; events: boolean }): Promise<InstanceView> {
  const seen = new Map<number, string>();
  const loops = new LoopReporter(client, out);
  let status = '';
  for (;;) {
    const instance = (await client.get<InstanceView>(`/workflow-instances/${seg(id)}`)).body;
    const trace = (await client.get<{ nodes: TraceEntry[] }>(`/workflow-instances/${seg(id)}/history`)).body.nodes ?? [];
    for (const entry of [...trace].sort((a, b) => a.seq - b.seq)) {
      if (seen.get(entry.seq) === entry.status) continue;
      seen.set(entry.seq, entry.status);
      if (opts.events) out.event({ type: 'node', instanceId: id, ...entry }, () => nodeLine(entry));
    }
    if (opts.events) await loops.report(instance, trace);
    if (instance.status !== status) {
      status = instance.status;
      const at = instance.currentNodeId && !TERMINAL.has(status) ? ` at ${instance.currentNodeId}` : '';
      if (opts.events && !TERMINAL.has(status))
        out.event({ type: 'status', instanceId: id, status, currentNodeId: instance.currentNodeId }, () => `${id} ${status}${at}`);
    }
    if (TERMINAL.has(instance.status)) return instance;
    await sleep(opts.intervalMs);
  }
}

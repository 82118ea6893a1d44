/** Executions: a filtered list, and one execution's graph, nodes, live timeline and actions. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, readEvents } from '../api';
import { GraphView, type GraphDefinition } from '../graph';
import { ConfirmDialog, Json, Loading, ProblemBox, Status, duration, useLoad, when, type ConfirmRequest } from '../ui';

const STATUSES = ['pending', 'queued', 'running', 'waiting', 'suspended', 'escalated', 'completed', 'failed', 'cancelled'];

interface Execution {
  id: string;
  workflowId: string;
  version: string;
  site: string | null;
  status: string;
  input: unknown;
  output: unknown;
  error: { code?: string; message?: string } | null;
  currentNodeId: string | null;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
}

interface NodeRun {
  seq: number;
  nodeId: string;
  nodeType: string;
  nodeName: string | null;
  status: string;
  output: unknown;
  error: { code?: string; message?: string } | null;
  attempts: number | null;
  startedAt: string | null;
  endedAt: string | null;
}

export function Executions({ query }: { query: URLSearchParams }) {
  const [filters, setFilters] = useState({
    workflowId: query.get('workflowId') ?? '',
    status: query.get('status') ?? '',
    site: query.get('site') ?? '',
    since: query.get('since') ?? '',
  });
  const params = new URLSearchParams();
  for (const k of ['workflowId', 'status', 'site'] as const) if (filters[k]) params.set(k, filters[k]);
  // datetime-local is the viewer's local time; the API takes an instant.
  if (filters.since && !Number.isNaN(new Date(filters.since).getTime())) params.set('from', new Date(filters.since).toISOString());
  params.set('limit', '100');
  const list = useLoad(() => api<{ items: Execution[]; total: number }>('GET', `/workflow-instances?${params}`), [params.toString()]);
  const items = list.data?.items ?? [];
  const set = (k: keyof typeof filters) => (e: Event) => setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
  return (
    <section aria-labelledby="ex-title">
      <h1 id="ex-title">Executions</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter executions">
        <label>
          Workflow
          <input name="workflowId" value={filters.workflowId} onChange={set('workflowId')} placeholder="workflow id" />
        </label>
        <label>
          Status
          <select name="status" value={filters.status} onChange={set('status')}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Site
          <input name="site" value={filters.site} onChange={set('site')} placeholder="site id" />
        </label>
        <label>
          Started since
          <input name="since" type="datetime-local" value={filters.since} onChange={set('since')} />
        </label>
      </form>
      <Loading loaded={list}>
        {() => (
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Executions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Execution</th>
                  <th scope="col">Workflow</th>
                  <th scope="col">Status</th>
                  <th scope="col">Site</th>
                  <th scope="col">Started</th>
                  <th scope="col">Duration</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr key={e.id} data-execution-id={e.id}>
                    <td>
                      <a href={`#/executions/${encodeURIComponent(e.id)}`}>{e.id}</a>
                    </td>
                    <td>
                      {e.workflowId} <span class="muted">{e.version}</span>
                    </td>
                    <td>
                      <Status status={e.status} />
                    </td>
                    <td>{e.site ?? '—'}</td>
                    <td>{when(e.startedAt)}</td>
                    <td>{duration(e.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {items.length === 0 && <p>No execution matches.</p>}
          </div>
        )}
      </Loading>
    </section>
  );
}

interface TimelineEvent {
  id: string | undefined;
  event: string;
  at?: string;
  text: string;
}

function describe(event: string, data: Record<string, unknown>): string {
  const parts = [data.nodeId ? `node ${String(data.nodeId)}` : '', data.status ? `→ ${String(data.status)}` : '', data.actor ? `by ${String(data.actor)}` : ''];
  if (typeof data.durationMs === 'number') parts.push(`${data.durationMs} ms`);
  const error = data.error as { code?: string; message?: string } | undefined;
  if (error) parts.push(`${error.code ?? ''} ${error.message ?? ''}`);
  return `${event} ${parts.filter(Boolean).join(' ')}`.trim();
}

const FINISHED = ['completed', 'failed', 'cancelled'];

export function ExecutionDetail({ id }: { id: string }) {
  const [tick, setTick] = useState(0);
  const exec = useLoad(() => api<Execution>('GET', `/workflow-instances/${encodeURIComponent(id)}`), [id, tick]);
  const history = useLoad(() => api<{ nodes: NodeRun[] }>('GET', `/workflow-instances/${encodeURIComponent(id)}/history`), [id, tick]);
  const workflowId = exec.data?.workflowId;
  const version = exec.data?.version;
  const graph = useLoad(
    () =>
      workflowId && version
        ? api<{ graph: GraphDefinition }>('GET', `/workflows/${encodeURIComponent(workflowId)}/versions/${encodeURIComponent(version)}`)
        : Promise.resolve(undefined),
    [workflowId, version],
  );
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [selected, setSelected] = useState<string>();
  const [confirm, setConfirm] = useState<ConfirmRequest>();
  const [notice, setNotice] = useState<string>();

  // The live timeline: every event also refreshes the execution and its nodes.
  useEffect(() => {
    setEvents([]);
    const abort = new AbortController();
    void readEvents(
      `/workflow-instances/${encodeURIComponent(id)}/events`,
      (e) => {
        const data = (e.data ?? {}) as Record<string, unknown>;
        setEvents((list) =>
          list.some((x) => x.id !== undefined && x.id === e.id)
            ? list
            : [...list, { id: e.id, event: e.event, at: data.at as string | undefined, text: describe(e.event, data) }],
        );
        setTick((t) => t + 1);
      },
      abort.signal,
    );
    return () => abort.abort();
  }, [id]);

  // While it runs, poll too: node events are recorded when the execution ends (docs/analytics.md).
  const status = exec.data?.status;
  useEffect(() => {
    if (!status || FINISHED.includes(status)) return;
    const timer = setInterval(() => setTick((t) => t + 1), 2000);
    return () => clearInterval(timer);
  }, [status]);

  const runs = history.data?.nodes ?? [];
  const states = useMemo(() => {
    const s: Record<string, string> = {};
    for (const r of runs) s[r.nodeId] = r.status;
    const current = exec.data?.currentNodeId;
    // The node the execution waits at (an approval, a trigger, a timer) is waiting, not running.
    if (current && exec.data && !FINISHED.includes(exec.data.status))
      s[current] = exec.data.status === 'waiting' || exec.data.status === 'suspended' ? exec.data.status : (s[current] ?? 'running');
    return s;
  }, [runs, exec.data]);
  const failedNode = runs.filter((r) => r.status === 'failed').at(-1);
  const shownNode = selected ?? failedNode?.nodeId;
  const shownRuns = runs.filter((r) => r.nodeId === shownNode);

  const act = (title: string, confirmLabel: string, path: string, body: unknown, after?: (result: unknown) => void) =>
    setConfirm({
      title,
      confirmLabel,
      body: <p>Execution {id}</p>,
      run: async () => {
        const result = await api(path.startsWith('DELETE ') ? 'DELETE' : 'POST', path.replace(/^DELETE /, ''), body);
        after?.(result);
        return result;
      },
      done: () => setTick((t) => t + 1),
    });
  const base = `/workflow-instances/${encodeURIComponent(id)}`;

  return (
    <section aria-labelledby="exd-title">
      <p>
        <a href="#/executions">← Executions</a>
      </p>
      <h1 id="exd-title">Execution {id}</h1>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <Loading loaded={exec}>
        {() => {
          const e = exec.data!;
          const running = !FINISHED.includes(e.status);
          return (
            <>
              <dl class="facts">
                <dt>Status</dt>
                <dd>
                  <Status status={e.status} />
                </dd>
                <dt>Workflow</dt>
                <dd>
                  <a href={`#/workflows/${encodeURIComponent(e.workflowId)}`}>{e.workflowId}</a> {e.version}
                </dd>
                <dt>Site</dt>
                <dd>{e.site ?? '—'}</dd>
                <dt>Started</dt>
                <dd>{when(e.startedAt)}</dd>
                <dt>Duration</dt>
                <dd>{duration(e.durationMs)}</dd>
                {e.currentNodeId && running && (
                  <>
                    <dt>At node</dt>
                    <dd>{e.currentNodeId}</dd>
                  </>
                )}
              </dl>
              {e.error && (
                <div class="problem" role="alert">
                  <strong>Failed{failedNode ? ` at node ${failedNode.nodeId}` : ''}:</strong> {e.error.code} {e.error.message}
                </div>
              )}
              <div class="actions" role="group" aria-label="Operator actions">
                {running && e.status !== 'suspended' && (
                  <button type="button" class="secondary" onClick={() => act('Suspend this execution?', 'Suspend', `${base}/suspend`, {})}>
                    Suspend
                  </button>
                )}
                {e.status === 'suspended' && (
                  <button type="button" class="secondary" onClick={() => act('Resume this execution?', 'Resume', `${base}/resume`, {})}>
                    Resume
                  </button>
                )}
                {running && <AdvanceButton onAdvance={(trigger) => act(`Advance with trigger “${trigger}”?`, 'Advance', `${base}/advance`, { trigger })} />}
                {running && (
                  <button type="button" class="danger" onClick={() => act('Cancel this execution?', 'Cancel execution', `DELETE ${base}`, undefined)}>
                    Cancel
                  </button>
                )}
                {e.status === 'failed' && (
                  <button
                    type="button"
                    onClick={() =>
                      act('Retry from the failed node?', 'Retry', `${base}/retry`, { from: 'failed' }, (r) => {
                        const retry = r as { id: string };
                        setNotice(`Retry started as ${retry.id}.`);
                        location.hash = `#/executions/${encodeURIComponent(retry.id)}`;
                      })
                    }
                  >
                    Retry from failed node
                  </button>
                )}
              </div>
            </>
          );
        }}
      </Loading>
      <div class="split">
        <div>
          <h2>Graph</h2>
          {graph.error && <ProblemBox problem={graph.error} />}
          {graph.data?.graph && (
            <GraphView
              graph={graph.data.graph}
              states={states}
              selected={shownNode}
              onSelect={setSelected}
              label={`Graph of execution ${id}, nodes coloured by state`}
            />
          )}
          <Legend />
        </div>
        <div>
          <h2>Node {shownNode ?? ''}</h2>
          {shownNode === undefined && <p class="muted">Choose a node in the graph.</p>}
          {shownNode !== undefined && shownRuns.length === 0 && <p class="muted">This node has not run.</p>}
          {shownRuns.map((r) => (
            <article key={r.seq} class="node-run" data-node-run={r.nodeId}>
              <p>
                <Status status={r.status} /> {r.nodeType} · attempts {r.attempts ?? '—'} ·{' '}
                {r.startedAt && r.endedAt ? duration(new Date(r.endedAt).getTime() - new Date(r.startedAt).getTime()) : '—'}
              </p>
              {r.error && (
                <p class="node-error">
                  <strong>{r.error.code}</strong> {r.error.message}
                </p>
              )}
              <h3>Output</h3>
              <Json value={r.output} label={`Output of ${r.nodeId}`} />
            </article>
          ))}
        </div>
      </div>
      <h2>Timeline</h2>
      <ol class="timeline" aria-live="polite" aria-label="Live timeline">
        {events.map((ev, i) => (
          <li key={ev.id ?? i}>
            <span class="muted">{ev.at ? new Date(ev.at).toLocaleTimeString() : ''}</span> {ev.text}
          </li>
        ))}
      </ol>
      {exec.data && (
        <details>
          <summary>Input and output</summary>
          <h3>Input</h3>
          <Json value={exec.data.input} />
          <h3>Output</h3>
          <Json value={exec.data.output} />
        </details>
      )}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </section>
  );
}

function AdvanceButton({ onAdvance }: { onAdvance: (trigger: string) => void }) {
  const [trigger, setTrigger] = useState('');
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (trigger) onAdvance(trigger);
      }}
    >
      <label>
        Trigger
        <input value={trigger} onInput={(e) => setTrigger((e.target as HTMLInputElement).value)} size={10} />
      </label>
      <button type="submit" class="secondary">
        Advance
      </button>
    </form>
  );
}

export function Legend() {
  return (
    <p class="legend" aria-label="Legend">
      {['completed', 'running', 'waiting', 'failed', 'not-run'].map((s) => (
        <span key={s} class={`swatch state-${s}`}>
          {s}
        </span>
      ))}
    </p>
  );
}

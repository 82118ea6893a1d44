/** Workflows and their versions: the list, one version's graph, two versions side by side. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { GraphView, type GraphDefinition } from '../graph';
import { Json, Loading, Status, useLoad, when } from '../ui';

interface Workflow {
  id: string;
  name: string;
  description?: string | null;
  activeVersion?: string | null;
  latestVersion?: string | null;
  updatedAt?: string;
}
interface Version {
  version: string;
  status: string;
  createdAt?: string;
  graph?: GraphDefinition;
}

export function Workflows() {
  const list = useLoad(() => api<{ items: Workflow[] }>('GET', '/workflows?limit=200'), []);
  return (
    <section aria-labelledby="wf-title">
      <h1 id="wf-title">Workflows</h1>
      <Loading loaded={list}>
        {() => (
          <ul class="cards">
            {list.data!.items.map((w) => (
              <li key={w.id} class="card">
                <h2>
                  <a href={`#/workflows/${encodeURIComponent(w.id)}`}>{w.name || w.id}</a>
                </h2>
                <p class="meta">
                  {w.id}
                  {w.activeVersion ? ` · active ${w.activeVersion}` : ''}
                  {w.updatedAt ? ` · updated ${when(w.updatedAt)}` : ''}
                </p>
                {w.description && <p>{w.description}</p>}
                <p>
                  <a href={`#/executions?workflowId=${encodeURIComponent(w.id)}`}>Executions</a> ·{' '}
                  <a href={`#/analytics/${encodeURIComponent(w.id)}`}>Charts</a>
                </p>
              </li>
            ))}
          </ul>
        )}
      </Loading>
    </section>
  );
}

interface Comparison {
  a: string;
  b: string;
  compatibility?: string;
  changes?: { kind?: string; type?: string; path?: string; nodeId?: string; description?: string; message?: string }[];
  [k: string]: unknown;
}

/** Node ids added, removed or changed between two graphs, for marking the pictures. */
function marksOf(a: GraphDefinition, b: GraphDefinition): { a: Record<string, string>; b: Record<string, string> } {
  const ma: Record<string, string> = {};
  const mb: Record<string, string> = {};
  const byId = (g: GraphDefinition) => new Map(g.nodes.map((n) => [n.id, JSON.stringify(n)]));
  const [na, nb] = [byId(a), byId(b)];
  for (const [id, v] of na) {
    if (!nb.has(id)) ma[id] = 'removed';
    else if (nb.get(id) !== v) ma[id] = mb[id] = 'changed';
  }
  for (const id of nb.keys()) if (!na.has(id)) mb[id] = 'added';
  return { a: ma, b: mb };
}

export function WorkflowDetail({ id }: { id: string }) {
  const versions = useLoad(() => api<{ items: Version[] }>('GET', `/workflows/${encodeURIComponent(id)}/versions`), [id]);
  const [shown, setShown] = useState<string>('active');
  const [cmp, setCmp] = useState<{ a: string; b: string }>();
  const version = useLoad(() => api<Version>('GET', `/workflows/${encodeURIComponent(id)}/versions/${encodeURIComponent(shown)}`), [id, shown]);
  return (
    <section aria-labelledby="wfd-title">
      <p>
        <a href="#/workflows">← Workflows</a>
      </p>
      <h1 id="wfd-title">Workflow {id}</h1>
      <Loading loaded={versions}>
        {() => (
          <>
            <div class="table-wrap">
              <table>
                <caption class="sr-only">Versions</caption>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created</th>
                    <th scope="col">Show</th>
                  </tr>
                </thead>
                <tbody>
                  {versions.data!.items.map((v) => (
                    <tr key={v.version}>
                      <td>{v.version}</td>
                      <td>
                        <Status status={v.status} />
                      </td>
                      <td>{when(v.createdAt)}</td>
                      <td>
                        <button type="button" class="link" onClick={() => setShown(v.version)} aria-pressed={shown === v.version}>
                          Graph of {v.version}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <CompareForm versions={versions.data!.items.map((v) => v.version)} onCompare={setCmp} />
          </>
        )}
      </Loading>
      {cmp ? (
        <Compare id={id} a={cmp.a} b={cmp.b} />
      ) : (
        <Loading loaded={version}>
          {() => (
            <>
              <h2>Version {version.data!.version}</h2>
              {version.data!.graph && <GraphView graph={version.data!.graph} label={`Graph of version ${version.data!.version}`} />}
            </>
          )}
        </Loading>
      )}
    </section>
  );
}

function CompareForm({ versions, onCompare }: { versions: string[]; onCompare: (v: { a: string; b: string }) => void }) {
  const [a, setA] = useState(versions.at(-1) ?? '');
  const [b, setB] = useState(versions[0] ?? '');
  if (versions.length < 2) return null;
  const pick = (value: string, set: (v: string) => void, label: string) => (
    <label>
      {label}
      <select value={value} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
        {versions.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form
      class="filters"
      aria-label="Compare two versions"
      onSubmit={(e) => {
        e.preventDefault();
        onCompare({ a, b });
      }}
    >
      {pick(a, setA, 'From')}
      {pick(b, setB, 'To')}
      <button type="submit">Compare</button>
    </form>
  );
}

function Compare({ id, a, b }: { id: string; a: string; b: string }) {
  const w = encodeURIComponent(id);
  const data = useLoad(
    () =>
      Promise.all([
        api<Comparison>('GET', `/workflows/${w}/versions/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`),
        api<Version>('GET', `/workflows/${w}/versions/${encodeURIComponent(a)}`),
        api<Version>('GET', `/workflows/${w}/versions/${encodeURIComponent(b)}`),
      ]),
    [id, a, b],
  );
  return (
    <Loading loaded={data}>
      {() => {
        const [cmp, va, vb] = data.data!;
        const marks = va.graph && vb.graph ? marksOf(va.graph, vb.graph) : { a: {}, b: {} };
        return (
          <>
            <h2>
              {a} → {b}
              {cmp.compatibility ? ` (${cmp.compatibility})` : ''}
            </h2>
            <div class="split">
              <div>
                <h3>{a}</h3>
                {va.graph && <GraphView graph={va.graph} marks={marks.a} label={`Graph of version ${a}`} />}
              </div>
              <div>
                <h3>{b}</h3>
                {vb.graph && <GraphView graph={vb.graph} marks={marks.b} label={`Graph of version ${b}`} />}
              </div>
            </div>
            <h3>Changes</h3>
            <ul>
              {(cmp.changes ?? []).map((c, i) => (
                <li key={i}>
                  <strong>{c.type ?? c.kind}</strong> <code>{c.path ?? c.nodeId}</code> {c.description ?? c.message ?? ''}
                </li>
              ))}
            </ul>
            <details>
              <summary>Changes as the API lists them</summary>
              <Json value={cmp} />
            </details>
          </>
        );
      }}
    </Loading>
  );
}

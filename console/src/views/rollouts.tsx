/** Rollouts (per-site status, analyses, actions), a site's effective configuration, and charts. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmDialog, Json, Loading, Status, duration, useLoad, when, type ConfirmRequest } from '../ui';

interface Rollout {
  id: string;
  workflowId: string;
  version: string;
  strategy: string;
  status: string;
  waitingFor: string | null;
  failureReason: string | null;
  createdAt: string;
  targetSites: string[];
  canarySites: string[];
}
interface RolloutDetail extends Rollout {
  stage: number | null;
  remainingSites: string[];
  deployments: {
    siteId: string;
    status: string;
    attempt: number;
    fromVersion: string | null;
    startedAt: string | null;
    duration: number | null;
    error: string | null;
  }[];
  analyses: { verdict?: string; at?: string; reason?: string; [k: string]: unknown }[];
}

export function Rollouts() {
  const list = useLoad(() => api<{ items: Rollout[] }>('GET', '/rollouts?limit=100'), []);
  return (
    <section aria-labelledby="ro-title">
      <h1 id="ro-title">Rollouts</h1>
      <Loading loaded={list}>
        {() =>
          list.data!.items.length === 0 ? (
            <p>No rollouts yet.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="sr-only">Rollouts, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Rollout</th>
                    <th scope="col">Workflow</th>
                    <th scope="col">Strategy</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data!.items.map((r) => (
                    <tr key={r.id}>
                      <td>
                        <a href={`#/rollouts/${encodeURIComponent(r.id)}`}>{r.id}</a>
                      </td>
                      <td>
                        {r.workflowId} {r.version}
                      </td>
                      <td>{r.strategy}</td>
                      <td>
                        <Status status={r.status} /> {r.waitingFor ? `waiting for ${r.waitingFor}` : ''}
                      </td>
                      <td>{when(r.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loading>
    </section>
  );
}

const ACTIONS = [
  ['promote', 'Promote'],
  ['pause', 'Pause'],
  ['resume', 'Resume'],
  ['rollback', 'Roll back'],
] as const;

export function RolloutPage({ id }: { id: string }) {
  const r = useLoad(() => api<RolloutDetail>('GET', `/rollouts/${encodeURIComponent(id)}`), [id]);
  const [confirm, setConfirm] = useState<ConfirmRequest>();
  return (
    <section aria-labelledby="rod-title">
      <p>
        <a href="#/rollouts">← Rollouts</a>
      </p>
      <h1 id="rod-title">Rollout {id}</h1>
      <Loading loaded={r}>
        {() => {
          const d = r.data!;
          return (
            <>
              <p>
                <Status status={d.status} /> {d.workflowId} {d.version} · {d.strategy}
                {d.waitingFor ? ` · waiting for ${d.waitingFor}` : ''}
                {d.stage !== null ? ` · stage ${d.stage}` : ''}
              </p>
              {d.failureReason && (
                <p class="problem" role="alert">
                  {d.failureReason}
                </p>
              )}
              <div class="actions" role="group" aria-label="Rollout actions">
                {ACTIONS.map(([verb, label]) => (
                  <button
                    key={verb}
                    type="button"
                    class={verb === 'rollback' ? 'danger' : 'secondary'}
                    onClick={() =>
                      setConfirm({
                        title: `${label} rollout ${id}?`,
                        confirmLabel: label,
                        comment: { label: 'Reason (optional)' },
                        run: (reason) => api('POST', `/rollouts/${encodeURIComponent(id)}/${verb}`, reason ? { reason } : {}),
                        done: r.reload,
                      })
                    }
                  >
                    {label}
                  </button>
                ))}
              </div>
              <h2>Sites</h2>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Site</th>
                      <th scope="col">Status</th>
                      <th scope="col">From</th>
                      <th scope="col">Took</th>
                      <th scope="col">Error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.deployments.map((s) => (
                      <tr key={s.siteId + s.attempt}>
                        <td>
                          <a href={`#/sites/${encodeURIComponent(s.siteId)}`}>{s.siteId}</a>
                          {d.canarySites.includes(s.siteId) ? ' (canary)' : ''}
                        </td>
                        <td>
                          <Status status={s.status} />
                        </td>
                        <td>{s.fromVersion ?? '—'}</td>
                        <td>{duration(s.duration)}</td>
                        <td>{s.error ?? ''}</td>
                      </tr>
                    ))}
                    {d.remainingSites.map((s) => (
                      <tr key={s}>
                        <td>{s}</td>
                        <td>not yet</td>
                        <td />
                        <td />
                        <td />
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <h2>Analyses</h2>
              {d.analyses.length === 0 ? <p>None.</p> : <Json value={d.analyses} label="Canary analyses" />}
            </>
          );
        }}
      </Loading>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </section>
  );
}

interface SiteConfig {
  config?: Record<string, unknown>;
  values?: Record<string, unknown>;
  provenance?: Record<string, { scope?: string; source?: string; setBy?: string | null; setAt?: string | null }>;
  [k: string]: unknown;
}

export function SitePage({ id }: { id: string }) {
  const cfg = useLoad(() => api<SiteConfig>('GET', `/sites/${encodeURIComponent(id)}/config`), [id]);
  return (
    <section aria-labelledby="site-title">
      <h1 id="site-title">Site {id}: effective configuration</h1>
      <Loading loaded={cfg}>
        {() => {
          const values = cfg.data!.config ?? cfg.data!.values ?? {};
          const prov = cfg.data!.provenance ?? {};
          const keys = [...new Set([...Object.keys(values), ...Object.keys(prov)])].sort();
          return (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col">Value</th>
                    <th scope="col">From</th>
                    <th scope="col">Set by</th>
                  </tr>
                </thead>
                <tbody>
                  {keys.map((k) => (
                    <tr key={k}>
                      <td>
                        <code>{k}</code>
                      </td>
                      <td>
                        <code>{k in values ? JSON.stringify(values[k]) : '(secret)'}</code>
                      </td>
                      <td>{[prov[k]?.scope, prov[k]?.source].filter(Boolean).join(' · ')}</td>
                      <td>
                        {prov[k]?.setBy ?? ''} {prov[k]?.setAt ? when(prov[k]?.setAt) : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Loading>
    </section>
  );
}

interface Analytics {
  successRate: number | null;
  perDay: { day: string; started: number; completed: number; failed: number; cancelled: number; p50Ms: number | null; p95Ms: number | null }[];
}

/** Success rate and latency per day for one workflow, as SVG bars with a table beside them. */
export function AnalyticsPage({ id }: { id: string }) {
  const [days, setDays] = useState(30);
  const a = useLoad(() => api<Analytics>('GET', `/workflows/${encodeURIComponent(id)}/analytics?days=${days}`), [id, days]);
  return (
    <section aria-labelledby="an-title">
      <h1 id="an-title">Workflow {id}: success and latency</h1>
      <label>
        Days
        <select value={String(days)} onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}>
          {[7, 30, 90].map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <Loading loaded={a}>
        {() => {
          const rows = a.data!.perDay;
          const rate = (r: Analytics['perDay'][number]) => {
            const finished = r.completed + r.failed + r.cancelled;
            return finished ? r.completed / finished : null;
          };
          const maxP95 = Math.max(1, ...rows.map((r) => r.p95Ms ?? 0));
          return (
            <>
              <p>Success rate over the period: {a.data!.successRate === null ? '—' : `${Math.round(a.data!.successRate * 1000) / 10}%`}</p>
              <div class="split">
                <Bars
                  title="Success rate per day"
                  rows={rows.map((r) => ({ label: r.day, value: rate(r), text: rate(r) === null ? '—' : `${Math.round(rate(r)! * 100)}%` }))}
                  max={1}
                />
                <Bars
                  title="p95 latency per day"
                  rows={rows.map((r) => ({ label: r.day, value: r.p95Ms, text: duration(r.p95Ms === null ? null : Math.round(r.p95Ms)) }))}
                  max={maxP95}
                />
              </div>
            </>
          );
        }}
      </Loading>
    </section>
  );
}

function Bars({ title, rows, max }: { title: string; rows: { label: string; value: number | null; text: string }[]; max: number }) {
  const h = 22;
  return (
    <figure>
      <figcaption>{title}</figcaption>
      {rows.length === 0 ? (
        <p>No executions in the period.</p>
      ) : (
        <svg
          class="bars"
          viewBox={`0 0 320 ${rows.length * h}`}
          width="320"
          height={rows.length * h}
          role="img"
          aria-label={`${title}: ${rows.map((r) => `${r.label} ${r.text}`).join(', ')}`}
        >
          {rows.map((r, i) => (
            <g key={r.label} transform={`translate(0,${i * h})`}>
              <text x="0" y="15" class="bar-label">
                {r.label.slice(5)}
              </text>
              <rect x="50" y="4" height="14" width={r.value === null ? 0 : Math.max(1, (r.value / max) * 200)} class="bar" />
              <text x="256" y="15" class="bar-label">
                {r.text}
              </text>
            </g>
          ))}
        </svg>
      )}
    </figure>
  );
}

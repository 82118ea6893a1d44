/** The approver's inbox: what waits for my decision now (by name, role, group or delegation). */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmDialog, Json, Loading, Status, useLoad, when, type ConfirmRequest } from '../ui';

interface Step {
  id: string;
  name?: string;
  approvers?: { type: string; identifier: string }[];
}
interface Decision {
  round: number;
  stepId: string;
  approverId: string;
  onBehalfOf: string | null;
  action: string;
  comments: string | null;
  decidedAt: string;
}
interface ApprovalRequest {
  id: string;
  type: string;
  status: string;
  title: string;
  description: string | null;
  data: unknown;
  requestedBy: string | null;
  requestedAt: string;
  expiresAt: string | null;
  chain: { steps?: Step[] } | null;
  currentStepId: string | null;
  round: number;
  executionId: string | null;
  nodeId: string | null;
  decisions: Decision[];
}

const VERBS = [
  { verb: 'approve', label: 'Approve', commentRequired: false },
  { verb: 'reject', label: 'Reject', commentRequired: true },
  { verb: 'request-changes', label: 'Request changes', commentRequired: true },
] as const;

export function Inbox() {
  const inbox = useLoad(() => api<{ items: ApprovalRequest[] }>('GET', '/me/approvals'), []);
  const [confirm, setConfirm] = useState<ConfirmRequest>();
  const [done, setDone] = useState<string>();
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">Waiting for my decision</h1>
      <p class="muted">
        Requests whose open step names you — directly, by role or group, or as the delegate of someone away.{' '}
        <button type="button" class="link" onClick={inbox.reload}>
          Refresh
        </button>
      </p>
      {done && (
        <p class="notice" role="status">
          {done}
        </p>
      )}
      <Loading loaded={inbox}>
        {() =>
          inbox.data!.items.length === 0 ? (
            <p>Nothing waits for you.</p>
          ) : (
            <ul class="cards">
              {inbox.data!.items.map((r) => (
                <li key={r.id} class="card" data-request-id={r.id}>
                  <RequestCard
                    request={r}
                    onDecide={(verb, label, commentRequired) =>
                      setConfirm({
                        title: `${label}: ${r.title}`,
                        confirmLabel: label,
                        comment: { label: commentRequired ? 'Comment (required)' : 'Comment (optional)', required: commentRequired },
                        run: (comments) => api('POST', `/approval-requests/${encodeURIComponent(r.id)}/${verb}`, comments ? { comments } : {}),
                        done: () => {
                          setDone(`${label}: ${r.title} — recorded.`);
                          inbox.reload();
                        },
                      })
                    }
                  />
                </li>
              ))}
            </ul>
          )
        }
      </Loading>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </section>
  );
}

function RequestCard({ request: r, onDecide }: { request: ApprovalRequest; onDecide: (verb: string, label: string, commentRequired: boolean) => void }) {
  const steps = r.chain?.steps ?? [];
  return (
    <article aria-labelledby={`req-${r.id}`}>
      <h2 id={`req-${r.id}`}>{r.title}</h2>
      <p class="meta">
        <Status status={r.status} /> {r.type} · asked by <strong>{r.requestedBy ?? 'the system'}</strong> · {when(r.requestedAt)}
        {r.expiresAt && <> · expires {when(r.expiresAt)}</>}
        {r.executionId && (
          <>
            {' '}
            · <a href={`#/executions/${encodeURIComponent(r.executionId)}`}>execution</a>
          </>
        )}
      </p>
      {r.description && <p>{r.description}</p>}
      <details open>
        <summary>Data</summary>
        <Json value={r.data} label="Request data" />
      </details>
      <h3>Chain (round {r.round})</h3>
      <ol class="chain">
        {steps.map((s) => {
          const decided = r.decisions.filter((d) => d.stepId === s.id && d.round === r.round);
          return (
            <li key={s.id} class={s.id === r.currentStepId ? 'open-step' : ''}>
              <strong>{s.name ?? s.id}</strong>
              {s.id === r.currentStepId && <span class="badge">open</span>}
              <span class="muted"> — {(s.approvers ?? []).map((a) => `${a.type} ${a.identifier}`).join(', ')}</span>
              {decided.length > 0 && (
                <ul>
                  {decided.map((d) => (
                    <li key={d.approverId + d.decidedAt}>
                      {d.approverId}
                      {d.onBehalfOf ? ` for ${d.onBehalfOf}` : ''}: <strong>{d.action}</strong> {d.comments ? `“${d.comments}”` : ''}{' '}
                      <span class="muted">{when(d.decidedAt)}</span>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
      <div class="actions">
        {VERBS.map((v) => (
          <button key={v.verb} type="button" class={v.verb === 'approve' ? '' : 'secondary'} onClick={() => onDecide(v.verb, v.label, v.commentRequired)}>
            {v.label}
          </button>
        ))}
      </div>
    </article>
  );
}

/** Small building blocks shared by the views: loading, problems, confirmations, JSON. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Problem } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: Problem | undefined;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Problem; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (err: unknown) => live && setState({ error: toProblem(err), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function toProblem(err: unknown): Problem {
  if (err instanceof ApiError) return err.problem;
  return { status: 0, title: 'Network error', detail: err instanceof Error ? err.message : String(err) };
}

/** The API's refusal as it gave it: code, title, detail and each issue's JSON path. */
export function ProblemBox({ problem }: { problem: Problem | undefined }) {
  if (!problem) return null;
  return (
    <div class="problem" role="alert">
      <strong>
        {problem.title ?? 'Refused'}
        {problem.code ? ` (${problem.code}` + (problem.status ? `, HTTP ${problem.status})` : ')') : problem.status ? ` (HTTP ${problem.status})` : ''}
      </strong>
      {problem.detail && <p>{problem.detail}</p>}
      {problem.issues && problem.issues.length > 0 && (
        <ul>
          {problem.issues.map((i) => (
            <li key={i.path + i.message}>
              <code>{i.path || '/'}</code> {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Json({ value, label }: { value: unknown; label?: string }) {
  if (value === undefined || value === null) return <span class="muted">none</span>;
  return (
    <pre class="json" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function Loading({ loaded, children }: { loaded: Loaded<unknown>; children: () => ComponentChildren }) {
  if (loaded.error) return <ProblemBox problem={loaded.error} />;
  if (loaded.data === undefined) return <p aria-busy="true">Loading…</p>;
  return <>{children()}</>;
}

export function Status({ status }: { status: string }) {
  return <span class={`status status-${status}`}>{status}</span>;
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
export const duration = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '—' : ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;

export interface ConfirmRequest {
  title: string;
  body?: ComponentChildren;
  confirmLabel: string;
  /** Asks for a comment (required when `commentRequired`). */
  comment?: { label: string; required?: boolean };
  run: (comment: string) => Promise<unknown>;
  done?: () => void;
}

/**
 * A modal `<dialog>` that asks before an action runs, keeps focus inside (the browser's modal
 * dialog does), and shows the API's refusal in place when the action is refused.
 */
export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest | undefined; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (request && !d.open) {
      setComment('');
      setProblem(undefined);
      d.showModal();
    } else if (!request && d.open) d.close();
  }, [request]);
  if (!request) return <dialog ref={ref} />;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await request.run(comment);
      onClose();
      request.done?.();
    } catch (err) {
      setProblem(toProblem(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onClose={onClose}>
      <form onSubmit={submit}>
        <h2 id="confirm-title">{request.title}</h2>
        {request.body}
        {request.comment && (
          <label>
            {request.comment.label}
            <textarea
              name="comment"
              rows={3}
              required={request.comment.required}
              value={comment}
              onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
            />
          </label>
        )}
        <ProblemBox problem={problem} />
        <div class="actions">
          <button type="button" class="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            {request.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

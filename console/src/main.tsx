/** The Weft console: sign-in, navigation and the hash routes of each view. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { adoptTokenFromUrl, api, claims, getToken, setToken } from './api';
import { ProblemBox, toProblem } from './ui';
import { Inbox } from './views/inbox';
import { ExecutionDetail, Executions } from './views/executions';
import { WorkflowDetail, Workflows } from './views/workflows';
import { AnalyticsPage, RolloutPage, Rollouts, SitePage } from './views/rollouts';
import type { Problem } from './api';
import './styles.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function SignIn({ onSignedIn, reason }: { onSignedIn: () => void; reason?: string }) {
  const [token, setValue] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setToken(token.trim());
    try {
      // Any authenticated read proves the token; the inbox is one every role may read.
      await api('GET', '/me/approvals');
      onSignedIn();
    } catch (err) {
      setToken(null);
      setProblem(toProblem(err));
    }
  };
  return (
    <main id="main" class="signin">
      <h1>Sign in to Weft</h1>
      <p>Paste an API token (the same bearer token the API and the CLI take). It is kept for this tab only.</p>
      {reason && <p class="notice">{reason}</p>}
      <form onSubmit={submit}>
        <label>
          Token
          <textarea
            name="token"
            rows={4}
            required
            autoComplete="off"
            spellcheck={false}
            value={token}
            onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)}
          />
        </label>
        <ProblemBox problem={problem} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

const NAV = [
  ['#/inbox', 'Approvals'],
  ['#/executions', 'Executions'],
  ['#/workflows', 'Workflows'],
  ['#/rollouts', 'Rollouts'],
] as const;

function route(hash: string) {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  const [section, id] = parts;
  switch (section) {
    case 'executions':
      return id ? <ExecutionDetail key={id} id={id} /> : <Executions key={search} query={query} />;
    case 'workflows':
      return id ? <WorkflowDetail key={id} id={id} /> : <Workflows />;
    case 'rollouts':
      return id ? <RolloutPage key={id} id={id} /> : <Rollouts />;
    case 'sites':
      return id ? <SitePage key={id} id={id} /> : <Rollouts />;
    case 'analytics':
      return id ? <AnalyticsPage key={id} id={id} /> : <Workflows />;
    default:
      return <Inbox />;
  }
}

function App() {
  const [token, setTok] = useState(getToken());
  const [expired, setExpired] = useState<string>();
  const hash = useHash();
  useEffect(() => {
    const on = () => {
      setToken(null);
      setTok(null);
      setExpired('Your token was refused (expired or revoked). Sign in again.');
    };
    window.addEventListener('weft:unauthenticated', on);
    return () => window.removeEventListener('weft:unauthenticated', on);
  }, []);
  if (!token) return <SignIn reason={expired} onSignedIn={() => setTok(getToken())} />;
  const me = claims(token);
  const current = '#/' + (hash.replace(/^#\/?/, '').split(/[/?]/)[0] || 'inbox');
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header>
        <strong class="brand">Weft</strong>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <a href={href} aria-current={current === href ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          {me ? `${me.sub} (${me.roles.join(', ')})` : 'signed in'}{' '}
          <button
            type="button"
            class="link"
            onClick={() => {
              setToken(null);
              setTok(null);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {route(hash)}
      </main>
    </>
  );
}

adoptTokenFromUrl();
render(<App />, document.getElementById('app')!);

/**
 * postgres.js 3.4.9 killed the whole process when the server ended a session in the middle of a
 * transaction: the rollback it then sends was written, from a setImmediate, to a socket already
 * closed — `TypeError: Cannot read properties of null (reading 'write')` outside any promise
 * (porsager/postgres#1066, #1154, #1208). Weft carries the guard as `patches/postgres+3.4.9.patch`
 * (applied on install by patch-package); this test runs Weft's own client in a child process and
 * needs the process to live, the transaction to fail with an error Weft reads as "database
 * unavailable" (never hang), and the next query on the same pool to reconnect and succeed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createFreshDatabaseUrl, type FreshDatabase } from './fresh-database';

const ROOT = join(__dirname, '..', '..', '..');

let fresh: FreshDatabase;

beforeAll(async () => {
  fresh = await createFreshDatabaseUrl();
});

afterAll(async () => {
  await fresh?.drop();
});

/** Runs `test/support/transaction-cut.ts` against the fresh database: its exit and output. */
function runTransactionCut(): Promise<{ code: number | null; signal: string | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'support', 'transaction-cut.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: fresh.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  // A query left waiting for ever would keep the child alive: that is a failure too.
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

test('a transaction whose session the server ends: the process lives, the transaction fails as "database unavailable", the next query reconnects', async () => {
  const { code, signal, out } = await runTransactionCut();
  expect({ code, signal, out: code === 0 ? '' : out }).toEqual({ code: 0, signal: null, out: '' });
  const rounds = JSON.parse(out.trim().split('\n').pop() as string) as unknown[];
  expect(rounds).toEqual(Array.from({ length: 5 }, () => ({ transaction: 'rejected', unavailable: true, nextQuery: 'ok' })));
}, 60_000);

/**
 * Run as its own process by `connection-loss.postgres.test.ts` (an uncaught exception must show
 * as an exit code, not take the test runner down): opens DATABASE_URL with Weft's own client
 * factory, then several times runs a transaction whose session the server ends under it
 * (`pg_terminate_backend` of its own backend, as a failover or a pooler restart does), and after
 * each the next query on the same pool. Prints one JSON line with what each round saw.
 */
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client';
import { isDatabaseUnavailable } from '../../src/db/errors';

async function main(): Promise<void> {
  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL as string, maxConnections: 2 });
  const rounds: Array<{ transaction: string; unavailable: boolean; nextQuery: string }> = [];
  for (let round = 0; round < 5; round++) {
    const failure: unknown = await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`select pg_terminate_backend(pg_backend_pid())`);
        await tx.execute(sql`select 1`);
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    // postgres.js defers small writes with setImmediate: give a deferred write time to fire.
    await new Promise((r) => setTimeout(r, 50));
    const next = await database.db.execute(sql`select 1 as one`).then(
      () => 'ok',
      (err: Error) =>
        `failed: ${String((err.cause as Error | undefined)?.message ?? err.message)} ${String((err.cause as { code?: string } | undefined)?.code)}`,
    );
    rounds.push({ transaction: failure === undefined ? 'committed' : 'rejected', unavailable: isDatabaseUnavailable(failure), nextQuery: next });
  }
  await database.close();
  process.stdout.write(`${JSON.stringify(rounds)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

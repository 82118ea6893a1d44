import { defineConfig } from 'drizzle-kit';

/**
 * drizzle-kit configuration. `npm run db:generate` diffs src/db/schema/ (index.ts) against the snapshots
 * in drizzle/meta and writes a new migration; it needs no live database.
 */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './drizzle',
  strict: true,
});

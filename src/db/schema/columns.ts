/** Column helpers every area of the schema shares. */
import { sql } from 'drizzle-orm';

export const tz = { withTimezone: true, mode: 'date' } as const;

/** `'a', 'b'` for a check constraint; the values are our own constants, never user input. */
export function sqlList(values: readonly string[]) {
  return sql.raw(values.map((v) => `'${v}'`).join(', '));
}

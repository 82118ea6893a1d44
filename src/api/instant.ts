import { z } from 'zod';

/** A query parameter that is a point in time: RFC 3339 with its offset (`2026-12-01T00:00:00Z`), as a Date. */
export const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

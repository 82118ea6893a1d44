/**
 * Maintenance windows in each site's own time zone: whether one is open at an instant, and when
 * it next opens. Computed outside workflow code (by an activity) because the time zone database
 * behind Intl may change between Node versions, and a workflow's replay must not.
 */

export interface Window {
  startHour: number;
  endHour: number;
  /** 0 = Sunday … 6 = Saturday, in the site's time zone. */
  daysOfWeek: number[];
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formats = new Map<string, Intl.DateTimeFormat>();

function localParts(at: Date, timeZone: string): { hour: number; day: number } {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', weekday: 'short' });
    formats.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const day = WEEKDAYS[parts.find((p) => p.type === 'weekday')?.value ?? 'Sun'] ?? 0;
  return { hour, day };
}

/**
 * Whether the window is open at `at` in `timeZone`. `startHour` > `endHour` wraps past midnight
 * (22 → 4), and the day is that of the local time; equal hours mean the whole day.
 */
export function windowOpen(window: Window, timeZone: string, at: Date): boolean {
  const { hour, day } = localParts(at, timeZone);
  if (!window.daysOfWeek.includes(day)) return false;
  const { startHour: s, endHour: e } = window;
  if (s === e) return true;
  return s < e ? hour >= s && hour < e : hour >= s || hour < e;
}

const STEP_MS = 15 * 60_000;
const HORIZON_MS = 8 * 24 * 3_600_000;

/** Milliseconds until the window next opens after `at` (15-minute resolution), null when not within 8 days. */
export function nextOpening(window: Window, timeZone: string, at: Date): number | null {
  const first = Math.ceil((at.getTime() + 1) / STEP_MS) * STEP_MS;
  for (let t = first; t - at.getTime() <= HORIZON_MS; t += STEP_MS) {
    if (windowOpen(window, timeZone, new Date(t))) return t - at.getTime();
  }
  return null;
}

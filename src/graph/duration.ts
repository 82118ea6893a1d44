/**
 * Durations as users write them in WAIT nodes: `"500ms"`, `"5s"`, `"10m"`, `"2h"`, `"1d"`, or
 * ISO 8601 durations such as `"PT5S"`, `"PT1H30M"`, `"P1D"`, `"P1DT2H"`, `"P2W"`.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { WeftError } from './errors';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const SHORT_UNITS: Record<string, number> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY };

const SHORT_FORM = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
// Years and months are refused on purpose: their length in milliseconds depends on the calendar.
const ISO_FORM = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Parses a duration into whole milliseconds (fractions are rounded to the nearest millisecond).
 *
 * @throws WeftError `VALIDATION_ERROR` when the text is not one of the accepted forms, names
 *   years or months (`P1Y`, `P1M`), is empty (`P`, `PT`), or is too large to be exact.
 */
export function parseDuration(text: string): number {
  if (typeof text !== 'string') {
    throw invalid(String(text));
  }
  const short = SHORT_FORM.exec(text);
  if (short) {
    const [, amount, unit] = short;
    return finish(text, Number(amount) * (SHORT_UNITS[unit ?? ''] ?? Number.NaN));
  }
  const iso = ISO_FORM.exec(text);
  // "P" and "PT" match the pattern with no component, and "P1DT" has a dangling T: all refused.
  if (iso && iso.slice(1).some((part) => part !== undefined) && !text.endsWith('T')) {
    const [, weeks, days, hours, minutes, seconds] = iso;
    const ms = num(weeks) * WEEK + num(days) * DAY + num(hours) * HOUR + num(minutes) * MINUTE + num(seconds) * SECOND;
    return finish(text, ms);
  }
  throw invalid(text);
}

/** True when {@link parseDuration} accepts the text. */
export function isDuration(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

function num(part: string | undefined): number {
  return part === undefined ? 0 : Number(part);
}

function finish(text: string, ms: number): number {
  const rounded = Math.round(ms);
  if (!Number.isSafeInteger(rounded)) {
    throw new WeftError('VALIDATION_ERROR', `Duration "${text}" is too large`);
  }
  return rounded;
}

function invalid(text: string): WeftError {
  return new WeftError(
    'VALIDATION_ERROR',
    `Invalid duration "${text}": use a number with ms, s, m, h or d (e.g. "500ms", "10m") or ISO 8601 weeks/days/time (e.g. "PT1H30M", "P1DT2H")`,
  );
}

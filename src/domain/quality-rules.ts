/**
 * The verdict of a QUALITY_CHECK: each characteristic of a specification checked against its
 * measurement. Pure (no I/O, no clock), so a retried check reaches the same verdict.
 */
import { evaluateExpression, isTruthy, MAX_REGEX_SUBJECT_LENGTH, type ExpressionContext } from '../graph/expressions';
import { WeftError } from '../graph/errors';
import { regexProblem, type Characteristic } from '../graph/node-types';
import type { QualityResult } from '../db/schema';

/** One characteristic's verdict; `skipped` when an optional measurement is absent. */
export interface CharacteristicResult {
  name: string;
  kind: Characteristic['kind'];
  result: QualityResult | 'skipped';
  /** The measurement checked (null when absent). */
  value: unknown;
  /** Why it is not a plain pass. */
  message?: string;
}

/** The verdict of a whole specification: fail if any characteristic fails, else warn if any warns. */
export interface QualityVerdict {
  result: QualityResult;
  characteristics: CharacteristicResult[];
}

/**
 * Checks every characteristic against `measurements[name]`.
 * @throws WeftError EXPRESSION_ERROR when a rule fails to evaluate; VALIDATION_ERROR when a
 *   pattern (rendered from a template) is not an acceptable regular expression
 */
export function evaluateQuality(specification: readonly Characteristic[], measurements: Record<string, unknown>): QualityVerdict {
  const characteristics = specification.map((c) => checkCharacteristic(c, measurements));
  const results = characteristics.map((c) => c.result);
  const result: QualityResult = results.includes('fail') ? 'fail' : results.includes('warn') ? 'warn' : 'pass';
  return { result, characteristics };
}

/** `thickness (12.7 above max 12.5); colour ("blue" not allowed)`: the failing characteristics, for the node's error. */
export function describeFailures(verdict: QualityVerdict): string {
  return verdict.characteristics
    .filter((c) => c.result === 'fail')
    .map((c) => `${c.name} (${c.message ?? 'failed'})`)
    .join('; ');
}

function checkCharacteristic(c: Characteristic, measurements: Record<string, unknown>): CharacteristicResult {
  const value = Object.prototype.hasOwnProperty.call(measurements, c.name) ? measurements[c.name] : undefined;
  const base = { name: c.name, kind: c.kind, value: value ?? null };
  if (value === undefined || value === null) {
    return c.required ? { ...base, result: 'fail', message: 'no measurement' } : { ...base, result: 'skipped', message: 'no measurement' };
  }
  const verdict = judge(c, value, measurements);
  return verdict.message === undefined ? { ...base, result: verdict.result } : { ...base, ...verdict };
}

function judge(c: Characteristic, value: unknown, measurements: Record<string, unknown>): { result: QualityResult; message?: string } {
  switch (c.kind) {
    case 'numeric':
      return judgeNumeric(c, value);
    case 'allowed':
      return (c.allowed ?? []).some((a) => sameJson(a, value)) ? { result: 'pass' } : { result: 'fail', message: `${JSON.stringify(value)} not allowed` };
    case 'regex':
      return judgeRegex(c.pattern ?? '', value);
    case 'expression':
      return judgeRule(c.rule ?? '', value, measurements);
  }
}

function judgeNumeric(c: Characteristic, raw: unknown): { result: QualityResult; message?: string } {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) return { result: 'fail', message: `${JSON.stringify(raw)} is not a number` };
  const lower = c.min ?? (c.target !== undefined && c.tolerance !== undefined ? c.target - c.tolerance : undefined);
  const upper = c.max ?? (c.target !== undefined && c.tolerance !== undefined ? c.target + c.tolerance : undefined);
  if (lower !== undefined && value < lower) return { result: 'fail', message: `${value} below min ${lower}` };
  if (upper !== undefined && value > upper) return { result: 'fail', message: `${value} above max ${upper}` };
  if (c.warnMargin !== undefined) {
    if (lower !== undefined && value < lower + c.warnMargin) return { result: 'warn', message: `${value} within ${c.warnMargin} of min ${lower}` };
    if (upper !== undefined && value > upper - c.warnMargin) return { result: 'warn', message: `${value} within ${c.warnMargin} of max ${upper}` };
  }
  return { result: 'pass' };
}

function judgeRegex(pattern: string, raw: unknown): { result: QualityResult; message?: string } {
  // The pattern may have come from a template, so the validation-time check is repeated here.
  const problem = regexProblem(pattern);
  if (problem) throw new WeftError('VALIDATION_ERROR', `pattern ${JSON.stringify(pattern)}: ${problem}`);
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    return { result: 'fail', message: `${JSON.stringify(raw)} is not text` };
  }
  const text = String(raw);
  // Matching runs natively and cannot be interrupted: cap the subject as expressions do.
  if (text.length > MAX_REGEX_SUBJECT_LENGTH) return { result: 'fail', message: `longer than ${MAX_REGEX_SUBJECT_LENGTH} characters` };
  return new RegExp(pattern, 'u').test(text) ? { result: 'pass' } : { result: 'fail', message: `${JSON.stringify(text)} does not match /${pattern}/` };
}

/**
 * A rule answers `"pass"`, `"warn"` or `"fail"` itself, or anything else, read as JSONata
 * truthiness (true passes).
 */
function judgeRule(rule: string, value: unknown, measurements: Record<string, unknown>): { result: QualityResult; message?: string } {
  // The rule sees the measurement and all measurements; the workflow context stays out of reach.
  const context: ExpressionContext & { value: unknown; measurements: Record<string, unknown> } = {
    input: measurements,
    vars: {},
    nodes: {},
    execution: { id: '', workflowId: '', version: '', startedAt: '' },
    value,
    measurements,
  };
  const answer = evaluateExpression(rule, context);
  if (answer === 'pass' || answer === 'warn' || answer === 'fail')
    return answer === 'pass' ? { result: 'pass' } : { result: answer, message: `rule answered ${answer}` };
  return isTruthy(answer) ? { result: 'pass' } : { result: 'fail', message: `rule ${rule} does not hold` };
}

/** Equality of JSON values (object keys in any order). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

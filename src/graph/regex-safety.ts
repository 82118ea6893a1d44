/**
 * Refuses regular expressions that can backtrack catastrophically.
 *
 * JSONata hands regex literals to the JavaScript engine, which runs them natively: a match
 * cannot be interrupted by the step counter, so a pattern like `/(a+)+$/` would stall a
 * workflow task for minutes on a 30-character input. We cannot bound that at run time, so we
 * refuse the shapes that cause exponential backtracking when the expression is parsed (and so
 * when the definition is validated):
 *
 * - backreferences (`\1`, `\k<name>`);
 * - a group that repeats (`*`, `+`, `{n,}`, `{n,m}` with m > 1, `{n}` with n > 1) and contains
 *   a variable quantifier (`*`, `+`, `?`, `{n,}`, `{n,m}`), e.g. `(a+)+`, `(\d*){3}`;
 * - a group that repeats and contains an alternation, e.g. `(a|aa)*`.
 *
 * The subject length is capped separately (see `MAX_REGEX_SUBJECT_LENGTH`), which bounds the
 * polynomial cases this check lets through (e.g. `/\d*\d*\d*$/`).
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */

interface GroupScan {
  hasVariableQuantifier: boolean;
  hasAlternation: boolean;
}

interface Quantifier {
  /** Characters the quantifier spans, including a lazy `?`. */
  length: number;
  /** It may match a varying number of times (`*`, `+`, `?`, `{n,}`, `{n,m}` with m > n). */
  variable: boolean;
  /** It may match more than once. */
  repeats: boolean;
}

/**
 * Why the pattern (the `source` of a RegExp) is refused, or null when it is acceptable.
 * Never throws.
 */
export function unsafeRegexReason(pattern: string): string | null {
  const stack: GroupScan[] = [{ hasVariableQuantifier: false, hasAlternation: false }];
  // The group that just closed, when the next token could quantify it.
  let closedGroup: GroupScan | null = null;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    const top = stack[stack.length - 1] as GroupScan;
    const quantifier = readQuantifier(pattern, i);
    if (quantifier) {
      if (closedGroup && quantifier.repeats) {
        if (closedGroup.hasVariableQuantifier) {
          return 'a repeated group contains a quantifier (nested quantifiers such as (a+)+ can backtrack catastrophically)';
        }
        if (closedGroup.hasAlternation) {
          return 'a repeated group contains an alternation (such as (a|aa)* , which can backtrack catastrophically)';
        }
      }
      if (quantifier.variable) top.hasVariableQuantifier = true;
      i += quantifier.length;
      closedGroup = null;
      continue;
    }
    closedGroup = null;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) {
        return 'backreferences are not allowed';
      }
      i += 2;
    } else if (c === '[') {
      i = skipClass(pattern, i);
    } else if (c === '(') {
      stack.push({ hasVariableQuantifier: false, hasAlternation: false });
      i = skipGroupPrefix(pattern, i + 1);
    } else if (c === ')') {
      if (stack.length > 1) {
        const group = stack.pop() as GroupScan;
        const parent = stack[stack.length - 1] as GroupScan;
        // What a group contains, its enclosing groups contain too: ((a|aa))* is as bad as (a|aa)*.
        parent.hasVariableQuantifier ||= group.hasVariableQuantifier;
        parent.hasAlternation ||= group.hasAlternation;
        closedGroup = group;
      }
      i += 1;
    } else if (c === '|') {
      top.hasAlternation = true;
      i += 1;
    } else {
      i += 1;
    }
  }
  return null;
}

function readQuantifier(pattern: string, i: number): Quantifier | null {
  const c = pattern[i];
  let length: number;
  let min: number;
  let max: number;
  if (c === '*' || c === '+' || c === '?') {
    length = 1;
    min = c === '+' ? 1 : 0;
    max = c === '?' ? 1 : Number.POSITIVE_INFINITY;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 32));
    if (!m) return null; // a literal brace
    length = m[0].length;
    min = Number(m[1]);
    max = m[2] === undefined ? min : m[3] === '' || m[3] === undefined ? Number.POSITIVE_INFINITY : Number(m[3]);
  } else {
    return null;
  }
  if (pattern[i + length] === '?') length += 1; // lazy: the same backtracking, other order
  return { length, variable: max > min, repeats: max > 1 };
}

function skipClass(pattern: string, start: number): number {
  let i = start + 1;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      i += 2;
    } else if (c === ']') {
      return i + 1;
    } else {
      i += 1;
    }
  }
  return i;
}

function skipGroupPrefix(pattern: string, i: number): number {
  if (pattern[i] !== '?') return i;
  const rest = pattern.slice(i, i + 4);
  if (rest.startsWith('?:') || rest.startsWith('?=') || rest.startsWith('?!')) return i + 2;
  if (rest.startsWith('?<=') || rest.startsWith('?<!')) return i + 3;
  if (rest.startsWith('?<')) {
    const close = pattern.indexOf('>', i);
    return close === -1 ? pattern.length : close + 1;
  }
  return i + 1;
}

/**
 * Why a user's pattern (QUALITY_CHECK, JSON Schema `pattern`) is refused — not a valid regular
 * expression, or a shape that can backtrack catastrophically (the same rule as regexes in
 * expressions) — or null. Never throws.
 */
export function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    return `invalid regular expression: ${err instanceof Error ? err.message : String(err)}`;
  }
  const unsafe = unsafeRegexReason(pattern);
  return unsafe ? `regular expression refused: ${unsafe}` : null;
}

/**
 * String templates: text in which `${expr}` and `{{expr}}` are replaced by the value of the
 * JSONata expression inside. A template that is exactly one marker keeps the value's type;
 * otherwise values are stringified into the text. `\${` and `\{{` write the markers literally.
 *
 * Pure TypeScript: imported by workflow code, so no Node APIs here.
 */
import { WeftError } from './errors';
import { checkExpression, evaluateExpression, type ExpressionContext, type ExpressionLimits } from './expressions';
import { isPlainObject } from './json';

/** One piece of a parsed template: literal text, or an expression with where it starts in the template. */
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expression'; source: string; syntax: '${}' | '{{}}'; offset: number };

/** Why a template cannot be parsed, with the character offset in the template. */
class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Splits a template into text and expressions. Braces inside an expression are counted, and
 * string literals (`"…"`, `'…'`) and quoted names (`` `…` ``) are skipped, so
 * `${ {"a": "}"}.a }` is one expression. Strings without markers are a single text part.
 *
 * @throws WeftError `EXPRESSION_ERROR` when a marker is not closed.
 */
export function parseTemplate(template: string): TemplatePart[] {
  try {
    return scan(template);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) {
      throw new WeftError('EXPRESSION_ERROR', err.message, { details: { template, position: err.offset } });
    }
    throw err;
  }
}

function scan(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    if (template[i] === '\\' && (template.startsWith('${', i + 1) || template.startsWith('{{', i + 1))) {
      text += template.slice(i + 1, i + 3);
      i += 3;
      continue;
    }
    const dollar = template.startsWith('${', i);
    const double = !dollar && template.startsWith('{{', i);
    if (!dollar && !double) {
      text += template[i];
      i += 1;
      continue;
    }
    const start = i + 2;
    const end = findClose(template, start, double);
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    parts.push({ kind: 'expression', source: template.slice(start, end), syntax: dollar ? '${}' : '{{}}', offset: start });
    i = end + (double ? 2 : 1);
  }
  if (text !== '' || parts.length === 0) parts.push({ kind: 'text', text });
  return parts;
}

/** Index of the `}` (or first `}` of `}}`) that closes the marker opened just before `start`. */
function findClose(template: string, start: number, double: boolean): number {
  let depth = 0;
  let i = start;
  while (i < template.length) {
    const c = template[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipQuoted(template, i);
      continue;
    }
    if (c === '/' && template[i + 1] === '*') {
      const close = template.indexOf('*/', i + 2);
      if (close === -1) break;
      i = close + 2;
      continue;
    }
    if (c === '{') {
      depth += 1;
    } else if (c === '}') {
      if (depth === 0) {
        if (!double) return i;
        if (template[i + 1] === '}') return i;
        throw new TemplateSyntaxError(`Unbalanced "}" in template expression at offset ${i}`, i);
      }
      depth -= 1;
    }
    i += 1;
  }
  const opener = double ? '{{' : '${';
  throw new TemplateSyntaxError(`Template expression opened with "${opener}" at offset ${start - 2} is not closed`, start - 2);
}

function skipQuoted(template: string, start: number): number {
  const quote = template[start];
  let i = start + 1;
  while (i < template.length) {
    if (template[i] === '\\' && quote !== '`') {
      i += 2;
      continue;
    }
    if (template[i] === quote) return i + 1;
    i += 1;
  }
  throw new TemplateSyntaxError(`Unterminated string in template expression at offset ${start}`, start);
}

/**
 * Why a template would fail, or null when every marker is closed and every expression inside
 * passes {@link checkExpression}. Never throws.
 */
export function checkTemplate(template: string): string | null {
  let parts: TemplatePart[];
  try {
    parts = scan(template);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err.message;
    throw err;
  }
  for (const part of parts) {
    if (part.kind !== 'expression') continue;
    const problem = checkExpression(part.source);
    if (problem) {
      const where = problem.position === undefined ? '' : ` (position ${problem.position})`;
      return `Expression "${part.source.trim()}" at offset ${part.offset}: ${problem.message}${where}`;
    }
  }
  return null;
}

/** True when the string contains a `${` or `{{` marker, i.e. rendering may change it. */
export function isTemplate(value: string): boolean {
  return value.includes('${') || value.includes('{{');
}

/**
 * Renders a template. Exactly one marker and nothing else (`"{{ vars.total }}"`) yields the
 * value itself, typed (a number stays a number; nothing selected is `undefined`). Otherwise
 * each value is written into the text: strings as they are, nothing/null as "", numbers and
 * booleans as JSONata's `$string` writes them, objects and arrays as JSON.
 *
 * @throws WeftError `EXPRESSION_ERROR` when a marker is not closed or an expression fails or
 *   exceeds its limits (each expression has its own `limits`).
 */
export function renderTemplate(template: string, context: ExpressionContext, limits?: Partial<ExpressionLimits>): unknown {
  if (!isTemplate(template)) return template;
  const parts = parseTemplate(template);
  const [only] = parts;
  if (parts.length === 1 && only?.kind === 'expression') {
    return evaluateExpression(only.source, context, limits);
  }
  let out = '';
  for (const part of parts) {
    out += part.kind === 'text' ? part.text : stringify(evaluateExpression(part.source, context, limits));
  }
  return out;
}

/**
 * Renders every string inside a JSON value (object keys are left as they are), one after the
 * other in document order. Non-string leaves are returned unchanged.
 *
 * @throws WeftError as {@link renderTemplate}.
 */
export function renderTemplatesDeep(value: unknown, context: ExpressionContext, limits?: Partial<ExpressionLimits>): unknown {
  if (typeof value === 'string') return renderTemplate(value, context, limits);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(renderTemplatesDeep(item, context, limits));
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = renderTemplatesDeep(value[key], context, limits);
    return out;
  }
  return value;
}

/** Writes a value into template text, as JSONata's `$string` would (but strings unquoted, nothing as ""). */
function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(15)) : v)) ?? '';
}

/**
 * The definition language of Weft: schemas, node types, validation, expressions, templates,
 * durations, versions and diffs. Pure TypeScript with no I/O, safe to import from workflow code.
 * A worker evaluates these modules once and shares them between all its workflows (see
 * SHARED_WORKFLOW_MODULES in src/temporal/worker.ts), so module state may only memoize pure results.
 */
export * from './errors';
export * from './schema';
export * from './node-types';
export * from './validate';
export {
  checkExpression,
  compileExpression,
  type CompiledExpression,
  DEFAULT_EXPRESSION_LIMITS,
  evaluateBoolean,
  evaluateExpression,
  type ExpressionContext,
  type ExpressionLimits,
  type ExpressionProblem,
  isTruthy,
  MAX_REGEX_SUBJECT_LENGTH,
} from './expressions';
export { unsafeRegexReason } from './regex-safety';
export * from './templates';
export * from './duration';
export * from './semver';
export * from './diff';
export { isPlainObject, jsonEqual, toPointer } from './json';

/**
 * The definition language of Weft: schemas, node types, validation, expressions, templates,
 * durations, versions and diffs. Pure TypeScript with no I/O, safe to import from workflow code.
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

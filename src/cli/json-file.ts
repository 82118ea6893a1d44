/**
 * Reading JSON files the way a user wrote them: syntax errors and API issue paths (JSON
 * Pointers) are reported with the line and column in the file, so an editor can jump there.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { findNodeAtLocation, type Node, parse, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { CliError, EXIT, type IssueView } from './exit-codes';

/** A parsed JSON file and the tree that locates its values. */
export interface JsonFile {
  file: string;
  text: string;
  value: unknown;
  tree: Node | undefined;
}

/** Line and column (both from 1) of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The segments of a JSON Pointer (RFC 6901); `''` is the whole document. */
export function pointerSegments(pointer: string): Array<string | number> {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

/**
 * Where `pointer` is in the file: the value's property name when it is a member, else the value;
 * for a path that does not exist (a missing required field), its nearest existing parent.
 */
export function locatePointer(doc: JsonFile, pointer: string): { line: number; column: number } | undefined {
  if (!doc.tree) return undefined;
  const segments = pointerSegments(pointer);
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(doc.tree, segments.slice(0, n));
    if (!node) continue;
    const at = node.parent?.type === 'property' ? node.parent : node;
    return lineColumn(doc.text, at.offset);
  }
  return undefined;
}

/** Adds the file's line and column to each issue whose path it can find. */
export function locateIssues(doc: JsonFile, issues: IssueView[]): IssueView[] {
  return issues.map((issue) => ({ ...issue, ...locatePointer(doc, issue.path) }));
}

/** Parses JSON text strictly (no comments, no trailing commas). @throws CliError BAD_INPUT with the line of each syntax error */
export function parseJsonText(text: string, file: string): JsonFile {
  const errors: ParseError[] = [];
  const options = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };
  const value: unknown = parse(text, errors, options);
  if (errors.length > 0) {
    const issues = errors.map((e) => ({ path: '', code: 'invalid_json', message: printParseErrorCode(e.error), ...lineColumn(text, e.offset) }));
    throw new CliError(EXIT.BAD_INPUT, `${file} is not valid JSON`, { code: 'INVALID_JSON', issues, file });
  }
  return { file, text, value, tree: parseTree(text, [], options) };
}

/** Reads and parses a JSON file. @throws CliError BAD_INPUT when it cannot be read or is not JSON */
export function readJsonFile(file: string): JsonFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(EXIT.BAD_INPUT, `cannot read ${file}: ${(err as Error).message}`, { code: 'FILE_UNREADABLE', file });
  }
  return parseJsonText(text, file);
}

/** Runs `fn`; when the API refuses it listing issues (paths into `doc`), the file's lines are added to them. */
export async function withFileLines<T>(doc: JsonFile | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (doc && err instanceof CliError && err.details.issues?.length) {
      throw new CliError(err.exitCode, err.message, { ...err.details, issues: locateIssues(doc, err.details.issues), file: doc.file });
    }
    throw err;
  }
}

/** An option that takes a JSON file or JSON text (`--input`, `--config`): the file when one exists at that path. @throws CliError BAD_INPUT */
export function jsonArgument(arg: string, option: string): unknown {
  if (existsSync(arg) && statSync(arg).isFile()) return readJsonFile(arg).value;
  try {
    return JSON.parse(arg) as unknown;
  } catch {
    throw new CliError(EXIT.BAD_INPUT, `${option} is neither a file nor JSON: ${arg.length > 80 ? `${arg.slice(0, 80)}…` : arg}`, { code: 'INVALID_OPTION' });
  }
}

import { isWeftError, WeftError } from '../../src/graph/errors';

/** Expects `promise` to reject with a WeftError of `code`; returns it for further checks (issues, details). */
export async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<WeftError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isWeftError(err)).toBe(true);
  expect((err as WeftError).code).toBe(code);
  return err as WeftError;
}

/** The WeftError `fn` throws; any other error is rethrown, and returning is a failure. */
export function thrownWeftError(fn: () => unknown): WeftError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WeftError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

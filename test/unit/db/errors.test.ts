import { isDatabaseUnavailable, isUniqueViolation } from '../../../src/db/errors';

/** An error as postgres.js rejects a query with (it attaches the query text), wrapped by drizzle. */
function fromQuery(code: string, message = 'driver error'): Error {
  const driver = Object.assign(new Error(message), { code });
  Object.defineProperty(driver, 'query', { value: 'select 1' });
  return Object.assign(new Error('Failed query: select 1\nparams: '), { name: 'DrizzleQueryError', query: 'select 1', cause: driver });
}

test.each([
  ['CONNECTION_CLOSED'],
  ['CONNECTION_ENDED'],
  ['CONNECTION_DESTROYED'],
  ['CONNECT_TIMEOUT'],
  ['57P01'],
  ['57P02'],
  ['57P03'],
  ['53300'],
  ['08006'],
  ['08001'],
  ['ECONNREFUSED'],
  ['ECONNRESET'],
])('a query failing with %s: the database is unavailable', (code) => {
  expect(isDatabaseUnavailable(fromQuery(code))).toBe(true);
});

test.each([['23505'], ['42P01'], ['40001'], ['57014']])('a query failing with %s is not an outage', (code) => {
  expect(isDatabaseUnavailable(fromQuery(code))).toBe(false);
});

test('a refused socket that is not a query (an outbound HTTP call) is not taken for the database', () => {
  expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }))).toBe(false);
});

test('nothing, a string or a plain error is not an outage', () => {
  expect(isDatabaseUnavailable(undefined)).toBe(false);
  expect(isDatabaseUnavailable('CONNECTION_CLOSED')).toBe(false);
  expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
});

test('isUniqueViolation still finds 23505 under drizzle', () => {
  expect(isUniqueViolation(fromQuery('23505'))).toBe(true);
  expect(isUniqueViolation(fromQuery('CONNECTION_CLOSED'))).toBe(false);
});

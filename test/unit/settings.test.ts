import { ConfigError, loadSettings } from '../../src/config/settings';

test('defaults: embedded Temporal and PGlite in ./.weft, port 3000', () => {
  const s = loadSettings({});
  expect(s).toMatchObject({ port: 3000, temporalAddress: undefined, databaseUrl: undefined, taskQueue: 'weft', httpAllowedHosts: [] });
  expect(s.dataDir.endsWith('.weft')).toBe(true);
});

test('every bad variable is named in one error', () => {
  let error: unknown;
  try {
    loadSettings({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'localhost', WEFT_JWT_SECRET: 'short' });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  for (const name of ['PORT', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'WEFT_JWT_SECRET']) expect(message).toContain(`${name}:`);
});

test('allowed hosts are a trimmed, lower-cased list; empty strings count as unset', () => {
  const s = loadSettings({ WEFT_HTTP_ALLOWED_HOSTS: ' api.Example.com , 10.0.0.5:8443 ,', PORT: '' });
  expect(s.httpAllowedHosts).toEqual(['api.example.com', '10.0.0.5:8443']);
  expect(s.port).toBe(3000);
  expect(() => loadSettings({ WEFT_HTTP_ALLOWED_HOSTS: 'http://evil/' })).toThrow(/WEFT_HTTP_ALLOWED_HOSTS/);
});

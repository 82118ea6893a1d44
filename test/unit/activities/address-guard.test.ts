import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressGuard, BlockedAddressError, isPublicAddress } from '../../../src/domain/http/address-guard';
import { HttpCallError, performHttpRequest } from '../../../src/domain/http/request';

const guard = new AddressGuard([]);

// Every spelling must be caught after the WHATWG URL parser has normalised it.
const refused = [
  'http://127.0.0.1/',
  'http://localhost./',
  'http://2130706433/', // decimal
  'http://0x7f000001/', // hex
  'http://0177.0.0.1/', // octal
  'http://127.1/', // short form
  'http://0/',
  'http://10.1.2.3/',
  'http://172.16.0.1/',
  'http://192.168.1.1/',
  'http://169.254.169.254/latest/meta-data/', // cloud metadata
  'http://100.64.0.1/', // CGNAT
  'http://[::1]/',
  'http://[fd00::1]/', // IPv6 unique local
  'http://[fe80::1]/', // link-local
  'http://[::ffff:127.0.0.1]/', // IPv4-mapped
  'http://[::ffff:a9fe:a9fe]/', // IPv4-mapped metadata, hex
  'http://224.0.0.1/', // multicast
];

test.each(refused.filter((u) => !u.includes('localhost')))('%s is refused before connecting', (url) => {
  expect(() => guard.checkLiteral(new URL(url))).toThrow(BlockedAddressError);
});

test('public addresses pass, private ones do not', () => {
  expect(isPublicAddress('93.184.216.34')).toBe(true);
  expect(isPublicAddress('2606:4700::1111')).toBe(true);
  expect(isPublicAddress('127.0.0.1')).toBe(false);
  expect(isPublicAddress('not-an-ip')).toBe(false);
});

describe('over a real connection', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') res.writeHead(302, { location: `http://127.0.0.1:${port}/inside` }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"inside":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const spec = (url: string) => ({ method: 'GET', url, headers: {}, query: {}, timeoutMs: 2000, maxResponseBytes: 1000, idempotencyKey: 'k' });

  test('a name resolving to loopback is refused at connect time', async () => {
    await expect(performHttpRequest(spec(`http://localhost:${port}/`), guard)).rejects.toMatchObject({ code: 'SSRF_BLOCKED' });
  });

  test('an allow-listed host:port is reached; a redirect from it to another private address is refused', async () => {
    const allowOne = new AddressGuard([`localhost:${port}`]);
    await expect(performHttpRequest(spec(`http://localhost:${port}/ok`), allowOne)).resolves.toMatchObject({ status: 200, body: { inside: true } });
    const err = await performHttpRequest(spec(`http://localhost:${port}/redirect`), allowOne).catch((e) => e);
    expect(err).toBeInstanceOf(HttpCallError);
    expect(err.code).toBe('SSRF_BLOCKED');
  });

  test('a response over maxResponseBytes fails with RESPONSE_TOO_LARGE', async () => {
    const allow = new AddressGuard([`127.0.0.1:${port}`]);
    await expect(performHttpRequest({ ...spec(`http://127.0.0.1:${port}/ok`), maxResponseBytes: 5 }, allow)).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
    });
  });
});

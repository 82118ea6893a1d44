import { AddressGuard } from '../../../src/domain/http/address-guard';
import { followRedirect, HttpCallError, sendHttpRequest } from '../../../src/domain/http/request';
import { startLoopbackServer, type LoopbackServer } from '../../support/loopback-server';

// Two peers on two ports are two origins: what the first asked for must not reach the second.
describe('redirects', () => {
  let origin: LoopbackServer;
  let other: LoopbackServer;
  const seenByOther: Array<Record<string, string | string[] | undefined>> = [];
  const seenByOrigin: Array<Record<string, string | string[] | undefined>> = [];

  beforeAll(async () => {
    other = await startLoopbackServer((req, _url, _body, res) => {
      seenByOther.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"at":"other"}');
    });
    origin = await startLoopbackServer((req, url, _body, res) => {
      seenByOrigin.push(req.headers);
      if (url.pathname === '/away') res.writeHead(302, { location: `${other.url}/landing` }).end();
      else if (url.pathname === '/home') res.writeHead(307, { location: '/landing' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"at":"origin"}');
    });
  });
  afterAll(async () => {
    await origin.close();
    await other.close();
  });
  beforeEach(() => {
    seenByOther.length = 0;
    seenByOrigin.length = 0;
  });

  const guard = () => new AddressGuard([origin.host, other.host]);
  const credentials = {
    Authorization: 'Bearer SECRET',
    Cookie: 'session=SECRET',
    'Proxy-Authorization': 'Basic SECRET',
    'X-API-Key': 'SECRET',
    'x-csrf-token': 'SECRET',
    Accept: 'application/json',
  };
  const spec = (url: string) => ({ method: 'GET', url, headers: credentials, query: {}, timeoutMs: 2000, maxResponseBytes: 10_000, idempotencyKey: 'wf:node:0' });

  test('a redirect to another origin carries no credential header', async () => {
    const res = await sendHttpRequest(spec(`${origin.url}/away`), guard());
    expect(res.body).toEqual({ at: 'other' });
    expect(seenByOrigin[0]).toMatchObject({ authorization: 'Bearer SECRET', 'x-api-key': 'SECRET' });
    const delivered = seenByOther[0] ?? {};
    expect(JSON.stringify(delivered)).not.toContain('SECRET');
    for (const name of ['authorization', 'cookie', 'proxy-authorization', 'x-api-key', 'x-csrf-token']) expect(delivered[name]).toBeUndefined();
    // What is not a credential still travels.
    expect(delivered).toMatchObject({ accept: 'application/json', 'idempotency-key': 'wf:node:0' });
  });

  test('a redirect within the same origin keeps the headers', async () => {
    const res = await sendHttpRequest(spec(`${origin.url}/home`), guard());
    expect(res.body).toEqual({ at: 'origin' });
    expect(seenByOrigin).toHaveLength(2);
    expect(seenByOrigin[1]).toMatchObject({ authorization: 'Bearer SECRET', cookie: 'session=SECRET' });
  });

  test('https → http is refused; http → https and same-scheme hops are followed', () => {
    const hop = { url: new URL('https://api.example.com/a'), method: 'GET', headers: { authorization: 'Bearer SECRET' }, body: undefined };
    const refused = (() => {
      try {
        followRedirect(hop, 302, 'http://api.example.com/b');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(HttpCallError);
    expect(refused).toMatchObject({ code: 'INSECURE_REDIRECT', retryable: false });
    expect(followRedirect(hop, 302, '/b').headers).toEqual({ authorization: 'Bearer SECRET' });
    const upgraded = followRedirect({ ...hop, url: new URL('http://api.example.com/a') }, 301, 'https://api.example.com/a');
    // Another scheme is another origin: the credential stays behind even on an upgrade.
    expect(upgraded.url.protocol).toBe('https:');
    expect(upgraded.headers).toEqual({});
  });

  test('303 and 302 after POST become a GET without body or content type', () => {
    const post = { url: new URL('http://a.example/x'), method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{}') };
    for (const status of [302, 303]) {
      const next = followRedirect(post, status, '/y');
      expect(next).toMatchObject({ method: 'GET', body: undefined, headers: {} });
    }
    expect(followRedirect(post, 307, '/y')).toMatchObject({ method: 'POST', headers: { 'Content-Type': 'application/json' } });
  });
});

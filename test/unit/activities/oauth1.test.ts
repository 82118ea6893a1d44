import { createHmac } from 'node:crypto';
import { hmacSignature, normalizeParameters, percentEncode, signatureBaseString, signOAuth1 } from '../../../src/domain/connectors/oauth1';

describe('OAuth 1.0a signing (RFC 5849)', () => {
  it('builds the RFC 5849 §3.4.1 example base string, query and form parameters sorted and encoded twice', () => {
    const url = 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b';
    const params: Array<[string, string]> = [
      ...new URL(url).searchParams.entries(),
      ['c2', ''],
      ['a3', '2 q'],
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
    ];
    expect(signatureBaseString('POST', url, params)).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26' +
        'oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26' +
        'oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });

  it('reproduces the published HMAC-SHA1 signatures of RFC 5849 §1.2 and OAuth Core 1.0 Appendix A', () => {
    const rfc: Array<[string, string]> = [
      ['file', 'vacation.jpg'],
      ['size', 'original'],
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_token', 'nnch734d00sl2jdk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131202'],
      ['oauth_nonce', 'chapoH'],
    ];
    expect(hmacSignature(signatureBaseString('GET', 'http://photos.example.net/photos', rfc), 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00', 'HMAC-SHA1')).toBe(
      'MdpQcU8iPSUjWoN/UDMsK2sui9I=',
    );
    // The whole header path (query taken from the URL, oauth_version added) against Appendix A.
    const signed = signOAuth1({
      method: 'GET',
      url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
      consumerKey: 'dpf43f3p2l4k3l03',
      consumerSecret: 'kd94hf93k423kf44',
      token: 'nnch734d00sl2jdk',
      tokenSecret: 'pfkkdhi9sl3r4s00',
      signatureMethod: 'HMAC-SHA1',
      nonce: 'kllo9940pd9333jh',
      timestamp: 1191242096,
      realm: 'Photos',
    });
    expect(signed.signature).toBe('tR3+Ty81lMeYAr/Fid0kMTYa/WM=');
    expect(signed.authorization).toBe(
      'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", ' +
        'oauth_timestamp="1191242096", oauth_nonce="kllo9940pd9333jh", oauth_version="1.0", oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D"',
    );
  });

  it('signs HMAC-SHA256 over the base string, and any changed input changes the signature', () => {
    const base = {
      method: 'POST',
      url: 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/salesOrder',
      query: { expandSubResources: 'true' },
      consumerKey: 'ck',
      consumerSecret: 'cs',
      token: 'tk',
      tokenSecret: 'ts',
      realm: '1234567_SB1',
      nonce: 'n0nce123',
      timestamp: 1_700_000_000,
    };
    const signed = signOAuth1(base);
    expect(signed.baseString.startsWith('POST&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2FsalesOrder&')).toBe(true);
    expect(signed.baseString).toContain('expandSubResources%3Dtrue');
    expect(signed.baseString).toContain('oauth_signature_method%3DHMAC-SHA256');
    expect(signed.baseString).not.toContain('realm');
    expect(signed.signature).toBe(createHmac('sha256', 'cs&ts').update(signed.baseString).digest('base64'));
    expect(signed.authorization).toMatch(/^OAuth realm="1234567_SB1", oauth_consumer_key="ck", oauth_token="tk", oauth_signature_method="HMAC-SHA256", /);

    const variants = [
      { method: 'GET' },
      { url: base.url.replace('salesOrder', 'customer') },
      { query: { expandSubResources: 'false' } },
      { consumerKey: 'ck2' },
      { consumerSecret: 'cs2' },
      { token: 'tk2' },
      { tokenSecret: 'ts2' },
      { nonce: 'n0nce124' },
      { timestamp: base.timestamp + 1 },
    ];
    const signatures = variants.map((v) => signOAuth1({ ...base, ...v }).signature);
    for (const s of signatures) expect(s).not.toBe(signed.signature);
    expect(new Set(signatures).size).toBe(variants.length);
    // The realm is not signed: a different realm leaves the signature as it is.
    expect(signOAuth1({ ...base, realm: 'OTHER' }).signature).toBe(signed.signature);
  });

  it('percent-encodes as RFC 3986 (reserved characters, UTF-8) and sorts by name then value', () => {
    expect(percentEncode("a b!'()*~-._é")).toBe('a%20b%21%27%28%29%2A~-._%C3%A9');
    expect(
      normalizeParameters([
        ['b', '2'],
        ['a', 'z'],
        ['a', 'y'],
        ['A', '1'],
      ]),
    ).toBe('A=1&a=y&a=z&b=2');
  });
});

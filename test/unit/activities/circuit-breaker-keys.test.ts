import { serviceKeyOf } from '../../../src/domain/http/service-key';
import { outcomeOfFailureCode } from '../../../src/domain/circuit-breaker-rules';

describe('serviceKeyOf', () => {
  it.each([
    ['https://api.example.com/v1/orders?x=1', 'api.example.com:443'],
    ['https://API.Example.com:443/other', 'api.example.com:443'],
    ['http://api.example.com/', 'api.example.com:80'],
    ['http://api.example.com:8080/a', 'api.example.com:8080'],
    ['http://user:secret@127.0.0.1:9000/', '127.0.0.1:9000'],
    ['http://[::1]/x', '[::1]:80'],
    ['http://0x7f.1:81/', '127.0.0.1:81'],
  ])('%s → %s', (url, key) => {
    expect(serviceKeyOf(url)).toBe(key);
  });

  it('has no key for URLs no call would be made to', () => {
    expect(serviceKeyOf('not a url')).toBeUndefined();
    expect(serviceKeyOf('ftp://files.example.com/')).toBeUndefined();
  });
});

describe('outcomeOfFailureCode', () => {
  it.each(['HTTP_500', 'HTTP_503', 'HTTP_599', 'HTTP_408', 'HTTP_429', 'TIMEOUT', 'NETWORK_ERROR'])('%s counts against the service', (code) => {
    expect(outcomeOfFailureCode(code)).toBe('failure');
  });

  it.each(['HTTP_400', 'HTTP_404', 'HTTP_409', 'SSRF_BLOCKED', 'INVALID_URL', 'RESPONSE_TOO_LARGE', 'TOO_MANY_REDIRECTS', 'HTTP_5000'])(
    '%s is the request’s fault and counts for nothing',
    (code) => {
      expect(outcomeOfFailureCode(code)).toBe('neutral');
    },
  );
});

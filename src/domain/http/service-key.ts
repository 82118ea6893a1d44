/**
 * The circuit breaker key of an outbound call: the origin's `host:port`, with the scheme's
 * default port filled in, so `https://api.example.com/a` and `https://API.example.com:443/b`
 * share one breaker (`api.example.com:443`). An IPv6 host keeps its brackets (`[2001:db8::1]:443`).
 *
 * @returns undefined for a URL that does not parse or is not http(s); the call itself then
 *   fails with INVALID_URL and no breaker is involved
 */
export function serviceKeyOf(rawUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  // WHATWG URL already lower-cases the host and normalises IP spellings (0x7f.1 → 127.0.0.1).
  return `${url.hostname}:${port}`;
}

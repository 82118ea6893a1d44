import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Ranges an outbound call may reach without an allow-list entry: public unicast only. */
const PUBLIC_RANGE = 'unicast';

/**
 * True when `ip` is a public unicast address. Loopback, private, link-local (which holds cloud
 * metadata at 169.254.169.254), CGNAT, unique-local, multicast, reserved and IPv4-mapped
 * private addresses are all refused.
 */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  }
  return addr.range() === PUBLIC_RANGE;
}

export class BlockedAddressError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`outbound call to ${host} (${address}) refused: not a public address; add it to WEFT_HTTP_ALLOWED_HOSTS to allow it`);
    this.name = 'BlockedAddressError';
  }
}

/** Host and host:port entries from WEFT_HTTP_ALLOWED_HOSTS. */
export class AddressGuard {
  private readonly allowed: Set<string>;

  constructor(allowedHosts: string[]) {
    this.allowed = new Set(allowedHosts.map((h) => h.toLowerCase()));
  }

  /** An allow-listed host may resolve anywhere, by name or by `host:port`. */
  isAllowed(hostname: string, port: string): boolean {
    const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
    return this.allowed.has(host) || this.allowed.has(`${host}:${port}`) || this.allowed.has(`[${host}]:${port}`);
  }

  /**
   * Checks a URL whose host is an IP literal (the WHATWG parser has already turned decimal, hex
   * and octal spellings into dotted form); names are checked at connect time by `lookup`.
   * @throws BlockedAddressError
   */
  checkLiteral(url: URL): void {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!ipaddr.isValid(host)) return;
    if (this.isAllowed(url.hostname, effectivePort(url))) return;
    if (!isPublicAddress(host)) throw new BlockedAddressError(url.hostname, host);
  }

  /**
   * A `lookup` for http.request that refuses private answers, so the check applies to the
   * address actually connected to (no gap between check and use for DNS rebinding).
   */
  lookupFor(url: URL): LookupFunction {
    const allowed = this.isAllowed(url.hostname, effectivePort(url));
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 0);
        const list = addresses as unknown as LookupAddress[];
        const blocked = allowed ? undefined : list.find((a) => !isPublicAddress(a.address));
        if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), '', 0);
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        const first = list[0];
        if (!first) return callback(new Error(`no address for ${hostname}`), '', 0);
        callback(null, first.address, first.family);
      });
    };
  }
}

export function effectivePort(url: URL): string {
  if (url.port) return url.port;
  return url.protocol === 'https:' ? '443' : '80';
}

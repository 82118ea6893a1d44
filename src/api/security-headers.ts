/**
 * helmet's security headers, fitted to a Weft that may be reached over plain HTTP at a network
 * address (a plant's intranet), not only on localhost or behind TLS.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** Loopback names a browser counts as a trustworthy origin even over plain HTTP. */
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$/;

/**
 * helmet's defaults, except two that break or clutter the console over plain HTTP:
 * - no `upgrade-insecure-requests` in the CSP: over plain HTTP at a network address it made browsers
 *   fetch the console's own script and styles over https, which a Weft without TLS does not serve,
 *   so the page stayed blank (behind TLS every file is same-origin https anyway);
 * - `Cross-Origin-Opener-Policy` only where a browser honours it: https (directly, or behind a
 *   TLS-terminating proxy that says so in `X-Forwarded-Proto`; a client that forges it only sets
 *   the policy on its own page) or loopback; elsewhere Chromium ignores it and reports an error
 *   on every page.
 */
export function securityHeaders(): RequestHandler[] {
  return [
    helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } }, crossOriginOpenerPolicy: false }),
    (req, res, next) => {
      const https = req.secure || req.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
      if (https || LOOPBACK.test(req.hostname)) res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      next();
    },
  ];
}

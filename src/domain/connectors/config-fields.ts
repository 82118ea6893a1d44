/**
 * Settings that several connector types share, defined once so their rules, messages and
 * defaults agree across drivers.
 */
import { z } from 'zod';

/** The response body bound of a connector call when its config does not set one (as API_CALL's). */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** A URL setting (base URL, login or token endpoint): http or https only. */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** `maxResponseBytes`: the largest response body a call of the connector accepts. */
export const maxResponseBytes = z.number().int().min(1).default(DEFAULT_MAX_RESPONSE_BYTES);

import { Router } from 'express';
import { z } from 'zod';
import type { CircuitBreakerService } from '../../domain/circuit-breakers';
import { requireRole } from '../auth';
import { param, parseRequest } from '../problem';
import { auditContext } from '../request-context';
import { listPage, shortListQuery } from '../pagination';

/**
 * A service key as the API_CALL activity builds it: `host:port`, the host a name, an IPv4
 * address or a bracketed IPv6 address. Checked so that configuring cannot create rows for keys
 * no call would ever use.
 */
const serviceId = z
  .string()
  .max(300)
  .regex(/^(?:[a-z0-9._-]+|\[[0-9a-f:.]+\]):\d{1,5}$/, 'must be host:port, e.g. api.example.com:443');

export const configBody = z
  .strictObject({
    failureThreshold: z.number().int().min(1).max(1_000).optional(),
    openTimeoutMs: z.number().int().min(1).max(86_400_000).optional(),
    halfOpenMaxCalls: z.number().int().min(1).max(1_000).optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'give at least one of failureThreshold, openTimeoutMs, halfOpenMaxCalls');

/**
 * `/circuit-breakers`: the breakers of outbound services. Service ids contain `:`; Express matches
 * it literally and decodes `%3A`, so both spellings reach the same breaker.
 */
export function circuitBreakersRouter(deps: { breakers: CircuitBreakerService }): Router {
  const { breakers } = deps;
  const router = Router();

  router.get('/circuit-breakers', async (req, res) => {
    const page = parseRequest(shortListQuery, req.query, 'query');
    res.json(listPage(req, (await breakers.list()).items, { list: 'circuit-breakers', key: (b) => [b.serviceId], shape: ['string'] }, page));
  });

  router.get('/circuit-breakers/:serviceId', async (req, res) => {
    res.json(await breakers.get(param(req, 'serviceId')));
  });

  router.put('/circuit-breakers/:serviceId/config', requireRole('technical_lead'), async (req, res) => {
    const id = parseRequest(z.object({ serviceId }), { serviceId: param(req, 'serviceId') }, 'params').serviceId;
    const config = parseRequest(configBody, req.body ?? {}, 'body');
    res.json(await breakers.configure(id, config, auditContext(req)));
  });

  router.post('/circuit-breakers/:serviceId/reset', requireRole('operator'), async (req, res) => {
    res.json(await breakers.reset(param(req, 'serviceId'), auditContext(req)));
  });

  return router;
}

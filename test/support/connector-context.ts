import { randomUUID } from 'node:crypto';
import { AddressGuard } from '../../src/domain/http/address-guard';
import { sendHttpRequest } from '../../src/domain/http/request';
import type { ConnectorContext, ConnectorDriver } from '../../src/domain/connectors/driver';

/**
 * A ConnectorContext for calling a driver directly over real HTTP, as the runtime would: config
 * and secrets parsed by the driver's schemas, every call through the SSRF guard (loopback
 * allowed) with the same idempotency key, one cache shared by the calls of one context.
 */
export function directConnectorContext(
  driver: ConnectorDriver,
  opts: { config: Record<string, unknown>; secrets: Record<string, unknown>; idempotencyKey?: string; cache?: Map<string, unknown>; timeoutMs?: number },
): ConnectorContext {
  const config = driver.configSchema.parse(opts.config);
  const secrets = driver.secretsSchema.parse(opts.secrets);
  const guard = new AddressGuard(['127.0.0.1']);
  const idempotencyKey = opts.idempotencyKey ?? `test:${randomUUID()}`;
  return {
    connectorId: `test-${driver.type}`,
    config,
    secrets,
    idempotencyKey,
    cache: opts.cache ?? new Map(),
    http: (req) =>
      sendHttpRequest(
        {
          method: req.method,
          url: req.url,
          headers: req.headers ?? {},
          query: req.query ?? {},
          body: req.body,
          timeoutMs: opts.timeoutMs ?? 10_000,
          maxResponseBytes: typeof config.maxResponseBytes === 'number' ? config.maxResponseBytes : 10 * 1024 * 1024,
          idempotencyKey,
        },
        guard,
      ),
  };
}

/** Runs one operation as the node activity does: params parsed by the operation's schema first. */
export async function runOperation(driver: ConnectorDriver, ctx: ConnectorContext, operation: string, params: unknown): Promise<unknown> {
  const op = driver.operations[operation];
  if (!op) throw new Error(`${driver.type} has no operation ${operation}`);
  return op.run(ctx, op.params.parse(params));
}

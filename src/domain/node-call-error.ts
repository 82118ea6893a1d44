/**
 * A side effect that failed with the stable code its node fails with (HTTP, SMTP, …). Thrown
 * by HTTP calls, connectors and activities; activities turn it into the node failure
 * (activities/node-failure.ts: nodeFailureOf).
 */
export class NodeCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'NodeCallError';
  }
}

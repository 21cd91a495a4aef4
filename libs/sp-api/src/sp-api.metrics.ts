import { counter, gauge, histogram } from '@connector/platform';

// Amazon's side of the connector: every call (each try) by account, operation and status, the
// time spent waiting for the client-side token buckets, and whether an account's credentials are refused.

export const amazonRequests = counter({
  name: 'connector_amazon_requests_total',
  help: 'Calls to Amazon (each try, LWA token requests as operation lwaToken), by account, operation and HTTP status (429: throttled; network_error: no answer)',
  labelNames: ['account_id', 'operation', 'status'],
});

export const amazonRequestDuration = histogram({
  name: 'connector_amazon_request_duration_seconds',
  help: 'Time from sending a call to Amazon to its answer (each try), by operation',
  labelNames: ['operation'],
  buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});

export const rateLimitWait = histogram({
  name: 'connector_amazon_rate_limit_wait_seconds',
  help: "Time a call waited for its operation's client-side token bucket (Amazon's rate limit) before it was sent, by operation",
  labelNames: ['operation'],
  buckets: [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
});

export const credentialsRefused = gauge({
  name: 'connector_amazon_credentials_refused',
  help: "1 while Amazon refuses the account's credentials (LWA answered 400/401, or the SP-API 401/403), 0 once a call succeeds again",
  labelNames: ['account_id'],
});

/** The status label: the HTTP status, or `network_error` when no answer came. */
export function statusLabel(status: number): string {
  return status === 0 ? 'network_error' : String(status);
}

import { counter, gauge, histogram } from '@connector/workers';

// Amazon's side of the connector: every call (each try) by operation and status, and the time
// spent waiting for the rate limits. No series carries the account, so their number does not
// grow with the accounts (a sync run's apiCalls and lastError say it for one account). How many
// accounts' credentials are refused is order-ingestion's connector_amazon_credentials_refused_accounts.

export const amazonRequests = counter({
  name: 'connector_amazon_requests_total',
  help: 'Calls to Amazon (each try, LWA token requests as operation lwaToken), by operation and HTTP status (429: throttled; network_error: no answer)',
  labelNames: ['operation', 'status'],
});

export const amazonRequestDuration = histogram({
  name: 'connector_amazon_request_duration_seconds',
  help: 'Time from sending a call to Amazon to its answer (each try), by operation',
  labelNames: ['operation'],
  buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});

export const rateLimitWait = histogram({
  name: 'connector_amazon_rate_limit_wait_seconds',
  help: "Time a call waited for Amazon's rate limit before it was sent (its operation's client-side token bucket, or Amazon's Retry-After after a 429), by operation",
  labelNames: ['operation'],
  buckets: [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
});

/** The status label: the HTTP status, or `network_error` when no answer came. */
export function statusLabel(status: number): string {
  return status === 0 ? 'network_error' : String(status);
}

export const quotaStoreAway = gauge({
  name: 'connector_amazon_quota_store_away',
  help: "1 while the shared store of Amazon's quotas (PostgreSQL, amazon_quotas) does not answer and this process paces its calls alone at a share of each rate, else 0",
});

export const quotaLocalTakes = counter({
  name: 'connector_amazon_quota_local_takes_total',
  help: "Calls to Amazon paced by this process alone (a share of the rate) because the shared store of quotas did not answer, by operation",
  labelNames: ['operation'],
});

export const quotaStoreDuration = histogram({
  name: 'connector_amazon_quota_store_duration_seconds',
  help: "Round trip of a statement on the shared store of Amazon's quotas (take: one per call to Amazon), by statement",
  labelNames: ['statement'],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
});

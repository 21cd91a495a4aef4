import { replyOf, RequestContract, requestContract } from '../common/message-contract';
import { SERVICE_NAMES, ServiceName } from './health.messages';

/** Asking a service for its metrics carries nothing. */
export class MetricsRequest {}

/**
 * `<service>.metrics.v1`: one replica of the service (whichever NATS gives it to) answers with
 * its Prometheus registry as text, what its GET /metrics serves; the gateway's
 * GET /metrics/services/:service asks it for those who cannot reach the management port.
 */
export const METRICS_REQUESTS = Object.freeze(
  Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, requestContract({ subject: `${service}.metrics.v1`, version: 1, payload: MetricsRequest, reply: replyOf<string>() })]),
  ) as Record<ServiceName, RequestContract<MetricsRequest, string>>,
);

import type { ServiceName } from '@connector/contracts';

/**
 * Where each service's management HTTP server (health, metrics) listens unless MANAGEMENT_PORT
 * says otherwise: fixed, so Prometheus and container healthchecks know them without asking. The
 * gateway has none: it serves the same routes on its own port.
 */
export const MANAGEMENT_PORTS: Readonly<Record<ServiceName, number>> = Object.freeze({
  'order-ingestion': 9101,
  'partner-resolution': 9102,
  inventory: 9103,
  'amazon-notifications': 9104,
});


import { replyOf, RequestContract, requestContract } from '../common/message-contract';

/** Each service answers `<service>.health.v1`; the gateway's /health asks all of them. */
/** The services behind the gateway, in start order: those others ask (partners, inventory) first. */
export const SERVICE_NAMES = ['partner-resolution', 'inventory', 'order-ingestion', 'amazon-notifications'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** A health check carries nothing. */
export class HealthCheckRequest {}

/**
 * A service's readiness: `up` when its own PostgreSQL and NATS answer. Its features' checks are
 * in `details`, those reporting a problem named in `degraded`: they never make it `down`.
 */
export class ServiceHealth {
  service: string;
  status: 'up' | 'down';
  postgres: 'up' | 'down';
  nats: 'up' | 'down';
  /** Why a dependency is down, in our own words (never a driver's text), by dependency. */
  problems?: Record<string, string>;
  /** The features' checks that report a problem (their words in `details`). */
  degraded?: string[];
  details?: Record<string, string>;
}

/** One health-check request per service: the same message, answered by each on its own subject. */
export const HEALTH_CHECKS = Object.freeze(
  Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, requestContract({ subject: `${service}.health.v1`, version: 1, payload: HealthCheckRequest, reply: replyOf<ServiceHealth>() })]),
  ) as Record<ServiceName, RequestContract<HealthCheckRequest, ServiceHealth>>,
);

import { replyOf, RequestContract, requestContract } from '../common/message-contract';

/** Each service answers `<service>.health.v1`; the gateway's /health asks all of them. */
/** The services behind the gateway, in start order: those others ask (partners, inventory) first. */
export const SERVICE_NAMES = ['partner-resolution', 'inventory', 'order-ingestion', 'amazon-notifications'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** A health check carries nothing. */
export class HealthCheckRequest {}

export class ServiceHealth {
  service: string;
  status: 'up' | 'down';
  postgres: 'up' | 'down';
  nats: 'up' | 'down';
  details?: Record<string, string>;
}

/** One health-check request per service: the same message, answered by each on its own subject. */
export const HEALTH_CHECKS = Object.freeze(
  Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, requestContract({ subject: `${service}.health.v1`, version: 1, payload: HealthCheckRequest, reply: replyOf<ServiceHealth>() })]),
  ) as Record<ServiceName, RequestContract<HealthCheckRequest, ServiceHealth>>,
);

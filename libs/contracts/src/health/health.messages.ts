/** Each service answers `<service>.health.v1`; the gateway's /health asks all of them. */
/** The services behind the gateway, in start order: those others ask (partners, inventory) first. */
export const SERVICE_NAMES = ['partner-resolution', 'inventory', 'order-ingestion', 'amazon-notifications'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function healthSubject(service: string): string {
  return `${service}.health.v1`;
}

export class ServiceHealth {
  service: string;
  status: 'up' | 'down';
  postgres: 'up' | 'down';
  nats: 'up' | 'down';
  details?: Record<string, string>;
}

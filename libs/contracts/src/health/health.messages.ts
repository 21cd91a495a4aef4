/** Each service answers `<service>.health.v1`; the gateway's /health asks all of them. */
export const SERVICE_NAMES = ['order-ingestion', 'partner-resolution', 'inventory', 'amazon-notifications'] as const;
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

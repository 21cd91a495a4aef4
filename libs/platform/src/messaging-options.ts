import { natsInboxPrefix } from '@connector/contracts';
import type { MessagingOptions } from '@connector/messaging';
import { STREAM_MAX_AGE_DAYS } from '@connector/messaging';
import type { ServiceSettings } from './config';
import { natsConnectionOptions } from './nats-connection';

/** The event stream and consumers of a service, from its settings (the same in every service). */
export function messagingOptions(settings: ServiceSettings, serviceName: string, extra: Partial<MessagingOptions> = {}): MessagingOptions {
  return {
    natsUrl: settings.NATS_URL,
    connection: { ...natsConnectionOptions(settings), inboxPrefix: natsInboxPrefix(serviceName) },
    namespace: settings.NATS_NAMESPACE,
    serviceName,
    // Events carry gift messages: the stream keeps them no longer than personal data is kept.
    maxAgeSeconds: Math.min(STREAM_MAX_AGE_DAYS, settings.PERSONAL_DATA_RETENTION_DAYS) * 86400,
    replicas: settings.NATS_STREAM_REPLICAS,
    ...extra,
  };
}

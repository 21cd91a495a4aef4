import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@connector/messaging';
import { DatabaseSettings, serviceDataSourceOptions } from '@connector/persistence';
import { ApiKey } from './access/api-key.entity';
import { AuditEntry } from './access/audit-entry.entity';
import { AlertDelivery } from './alerts/alert-delivery.entity';
import { AlertWebhook } from './alerts/alert-webhook.entity';
import { IdempotentRequest } from './idempotency/idempotent-request.entity';
import { Access1764300000600 } from './migrations/1764300000600-access';
import { Idempotency1764300000700 } from './migrations/1764300000700-idempotency';
import { AlertWebhooks1764300000800 } from './migrations/1764300000800-alert-webhooks';
import { AlertEpisodeSources1765400000900 } from './migrations/1765400000900-alert-episode-sources';

/**
 * The gateway keeps no business data: only who may call the API, what they changed, answers to
 * replay (Idempotency-Key), alert webhooks and their deliveries, and the messaging tables of the
 * alert events it consumes.
 */
export const GATEWAY_SCHEMA = 'access';

export const gatewayDataSource = (database: string | DatabaseSettings) =>
  serviceDataSourceOptions({
    database,
    schema: GATEWAY_SCHEMA,
    entities: [ApiKey, AuditEntry, IdempotentRequest, AlertWebhook, AlertDelivery, ...MESSAGING_ENTITIES],
    migrations: [Access1764300000600, Idempotency1764300000700, AlertWebhooks1764300000800, AlertEpisodeSources1765400000900, ...MESSAGING_MIGRATIONS],
  });

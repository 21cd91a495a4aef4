import { DatabaseSettings, serviceDataSourceOptions } from '@connector/persistence';
import { ApiKey } from './access/api-key.entity';
import { AuditEntry } from './access/audit-entry.entity';
import { IdempotentRequest } from './idempotency/idempotent-request.entity';
import { Access1764300000600 } from './migrations/1764300000600-access';
import { Idempotency1764300000700 } from './migrations/1764300000700-idempotency';

/** The gateway keeps no business data: only who may call the API, what they changed, and answers to replay (Idempotency-Key). */
export const GATEWAY_SCHEMA = 'access';

export const gatewayDataSource = (database: string | DatabaseSettings) =>
  serviceDataSourceOptions({ database, schema: GATEWAY_SCHEMA, entities: [ApiKey, AuditEntry, IdempotentRequest], migrations: [Access1764300000600, Idempotency1764300000700] });

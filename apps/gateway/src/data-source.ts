import { serviceDataSourceOptions } from '@connector/persistence';
import { ApiKey } from './access/api-key.entity';
import { AuditEntry } from './access/audit-entry.entity';
import { Access1764300000600 } from './migrations/1764300000600-access';

/** The gateway keeps no business data: only who may call the API, and what they changed. */
export const GATEWAY_SCHEMA = 'access';

export const gatewayDataSource = (url: string) =>
  serviceDataSourceOptions({ url, schema: GATEWAY_SCHEMA, entities: [ApiKey, AuditEntry], migrations: [Access1764300000600], poolSize: 5 });

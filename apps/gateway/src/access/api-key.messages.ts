import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsBoolean, IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '@connector/contracts';
import { API_SCOPES, ApiScope } from './scopes';

export class CreateApiKeyRequest {
  @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ArrayMinSize(1) @ArrayUnique() @IsIn(API_SCOPES, { each: true, message: `each scope must be one of ${API_SCOPES.join(', ')}` }) scopes: ApiScope[];
  /** Limits the key to these seller accounts; all when left out. */
  @IsOptional() @ArrayMinSize(1) @ArrayMaxSize(1000) @ArrayUnique() @IsUUID(undefined, { each: true }) accountIds?: string[];
}

export class ListApiKeysRequest extends PageQuery {
  @IsOptional() @Transform(({ value }) => value === true || value === 'true') @IsBoolean() includeRevoked?: boolean;
}

export class ListAuditRequest extends PageQuery {
  @IsOptional() @IsUUID() keyId?: string;
  @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @IsOptional() @IsISO8601({ strict: true }) to?: string;
  @IsOptional() @Type(() => String) @IsIn(['POST', 'PUT', 'PATCH', 'DELETE']) method?: string;
}

export class ApiKeyView {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: ApiScope[];
  accountIds: string[] | null;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

/** The calling key as the gateway sees it (never the key itself). */
export class CallerView {
  /** Null for a key of GATEWAY_API_KEYS (not in the database). */
  id: string | null;
  /** `environment key` for a key of GATEWAY_API_KEYS. */
  name: string;
  /** The key's first characters; null for a key of GATEWAY_API_KEYS (which may be short: all of it would show). */
  keyPrefix: string | null;
  scopes: ApiScope[];
  /** The seller accounts the key is limited to; null: every account. */
  accountIds: string[] | null;
}

/** Only when it is made: the key itself, never shown again. */
export class CreatedApiKeyView extends ApiKeyView {
  key: string;
}

export class AuditEntryView {
  id: string;
  at: string;
  keyId: string | null;
  keyName: string;
  method: string;
  path: string;
  action: string;
  status: number;
  changes: unknown;
}

import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { GET_ACCOUNT, Page } from '@connector/contracts';
import { newRowId } from '@connector/persistence';
import { listPage, ServiceClient, ServiceError, SETTINGS } from '@connector/platform';
import { apiKeys, GatewaySettings } from '../gateway.settings';
import { ApiKey } from './api-key.entity';
import { ApiKeyView, CreateApiKeyRequest, CreatedApiKeyView, ListApiKeysRequest } from './api-key.messages';
import { API_SCOPES, ApiScope } from './scopes';

/** Who is calling: a key of the database, or one of GATEWAY_API_KEYS (admin of everything). */
export interface Caller {
  keyId: string | null;
  name: string;
  /** The first characters of a key of the database (none for keys of the environment, which may be short). */
  keyPrefix?: string;
  scopes: ApiScope[];
  /** Null: every account. */
  accountIds: string[] | null;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();
/** Revoking a key takes at most this long to reach every gateway replica. */
const CACHE_MS = 5_000;

@Injectable()
export class ApiKeysService {
  private readonly environmentKeys: Buffer[];
  private readonly cache = new Map<string, { caller: Promise<Caller | undefined>; at: number }>();

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    @Inject(SETTINGS) settings: GatewaySettings,
    private readonly services: ServiceClient,
  ) {
    this.environmentKeys = apiKeys(settings).map(sha256);
  }

  /** The caller a presented key stands for, or undefined. Keys of the environment are compared in constant time. */
  async identify(presented: string): Promise<Caller | undefined> {
    const digest = sha256(presented);
    let environment = false;
    for (const key of this.environmentKeys) environment = timingSafeEqual(digest, key) || environment;
    if (environment) return { keyId: null, name: 'environment key', scopes: [...API_SCOPES], accountIds: null };
    const hash = digest.toString('hex');
    const known = this.cache.get(hash);
    if (known && Date.now() - known.at < CACHE_MS) return known.caller;
    const caller = this.keys.findOneBy({ keyHash: hash, revokedAt: IsNull() }).then((key) => (key ? toCaller(key) : undefined));
    this.cache.set(hash, { caller, at: Date.now() });
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    caller.catch(() => this.cache.delete(hash));
    return caller;
  }

  async create(request: CreateApiKeyRequest, by: Caller): Promise<CreatedApiKeyView> {
    // No wider than the key that makes it: its scopes, and its accounts.
    const beyond = request.scopes.filter((scope) => !by.scopes.includes(scope));
    if (beyond.length) throw ServiceError.badRequest('Validation failed', [{ field: 'scopes', errors: [`scopes must be within those of the key that makes it (not ${beyond.join(', ')})`] }]);
    if (request.accountIds) await this.checkAccounts(request.accountIds);
    if (by.accountIds && (!request.accountIds || request.accountIds.some((id) => !by.accountIds!.includes(id)))) {
      throw ServiceError.badRequest('Validation failed', [{ field: 'accountIds', errors: ['accountIds must be within the accounts of the key that makes it'] }]);
    }
    const key = `aoc_${randomBytes(32).toString('base64url')}`;
    const row = this.keys.create({
      id: newRowId(),
      name: request.name,
      keyHash: sha256(key).toString('hex'),
      keyPrefix: key.slice(0, 10),
      scopes: [...new Set(request.scopes)],
      accountIds: request.accountIds ?? null,
      createdBy: by.keyId ?? 'environment',
      revokedAt: null,
    });
    await this.keys.insert(row);
    return { ...view(await this.keys.findOneByOrFail({ id: row.id })), key };
  }

  list(query: ListApiKeysRequest): Promise<Page<ApiKeyView>> {
    const rows = this.keys.createQueryBuilder('k');
    if (!query.includeRevoked) rows.where('k.revokedAt IS NULL');
    return listPage(rows, query, view);
  }

  async revoke(id: string): Promise<ApiKeyView> {
    const key = await this.keys.findOneBy({ id });
    if (!key) throw ServiceError.notFound(`API key ${id} not found`);
    if (!key.revokedAt) await this.keys.update({ id }, { revokedAt: new Date() });
    this.cache.delete(key.keyHash);
    return view(await this.keys.findOneByOrFail({ id }));
  }

  private async checkAccounts(ids: string[]): Promise<void> {
    const unknown: string[] = [];
    for (const id of ids) {
      await this.services.request(GET_ACCOUNT, { id }).catch((err) => {
        if ((err as ServiceError).body?.statusCode === 404) unknown.push(id);
        else throw err;
      });
    }
    if (unknown.length) throw ServiceError.badRequest('Validation failed', [{ field: 'accountIds', errors: [`unknown accounts: ${unknown.join(', ')}`] }]);
  }
}

function toCaller(key: ApiKey): Caller {
  return { keyId: key.id, name: key.name, keyPrefix: key.keyPrefix, scopes: key.scopes as ApiScope[], accountIds: key.accountIds };
}

function view(key: ApiKey): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    keyPrefix: key.keyPrefix,
    scopes: key.scopes as ApiScope[],
    accountIds: key.accountIds,
    createdBy: key.createdBy,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

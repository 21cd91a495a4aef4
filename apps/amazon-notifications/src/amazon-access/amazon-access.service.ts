import { Injectable } from '@nestjs/common';
import { AccountAccess, GET_ACCOUNT_ACCESS } from '@connector/contracts';
import { SecretBox, ServiceClient } from '@connector/platform';
import { SpApiClient, SpApiClients } from '@connector/sp-api';

/**
 * SP-API clients for the accounts order-ingestion owns. The account's secrets arrive
 * sealed and are opened here with the shared key; clients (token, buckets) are kept.
 */
@Injectable()
export class AmazonAccessService {
  private readonly cache = new Map<string, { access: AccountAccess; fetchedAt: number }>();

  constructor(
    private readonly services: ServiceClient,
    private readonly secrets: SecretBox,
    private readonly clients: SpApiClients,
  ) {}

  /** The account as order-ingestion knows it (sellerId, endpoints, sealed secrets). */
  async access(accountId: string): Promise<AccountAccess> {
    let entry = this.cache.get(accountId);
    // Re-read now and then so changed credentials are picked up.
    if (!entry || Date.now() - entry.fetchedAt > 60_000) {
      entry = { access: await this.services.request<AccountAccess>(GET_ACCOUNT_ACCESS, { id: accountId }), fetchedAt: Date.now() };
      this.cache.set(accountId, entry);
    }
    return entry.access;
  }

  async client(accountId: string): Promise<SpApiClient> {
    const access = await this.access(accountId);
    return this.clients.for({
      accountId,
      endpoint: access.apiEndpoint,
      lwaEndpoint: access.lwaEndpoint,
      clientId: access.lwaClientId,
      clientSecret: this.secrets.decrypt(access.encryptedClientSecret),
      refreshToken: this.secrets.decrypt(access.encryptedRefreshToken),
    });
  }
}

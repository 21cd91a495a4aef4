import { Injectable } from '@nestjs/common';
import { AccountAccess, GET_ACCOUNT_ACCESS, STOCK_SYNC_ACCOUNTS } from '@connector/contracts';
import { accountSecretContext, SecretBox, ServiceClient, ServiceError } from '@connector/platform';
import { SpApiAccess, SpApiClient, SpApiClients } from '@connector/sp-api';

interface AccessEntry {
  access: AccountAccess;
  spApi: SpApiAccess;
}

/** Accounts per STOCK_SYNC_ACCOUNTS request (the contract's limit). */
const STOCK_SYNC_ASKED_AT_ONCE = 1000;

/**
 * SP-API clients for the accounts order-ingestion owns. The account's secrets arrive
 * sealed and are opened here with the shared key; clients (token, buckets) are kept.
 */
@Injectable()
export class AmazonAccessService {
  private readonly cache = new Map<string, { entry: Promise<AccessEntry>; fetchedAt: number }>();

  constructor(
    private readonly services: ServiceClient,
    private readonly secrets: SecretBox,
    private readonly clients: SpApiClients,
  ) {}

  /** The account as order-ingestion knows it (sellerId, endpoints, sealed secrets). */
  async access(accountId: string): Promise<AccountAccess> {
    return (await this.entry(accountId)).access;
  }

  async client(accountId: string): Promise<SpApiClient> {
    return this.clients.for((await this.entry(accountId)).spApi);
  }

  /**
   * Which of the accounts have stock sync on now: one request per thousand accounts, nothing
   * decrypted. Each answer goes to `turnedOn` as it arrives, so a later batch failing loses
   * none before it. Their cached access (up to a minute old, maybe still saying off) is
   * dropped first: the sender reads it next and must not put them back `off`.
   */
  async stockSyncOn(accountIds: string[], turnedOn: (accountIds: string[]) => Promise<void>): Promise<void> {
    for (let i = 0; i < accountIds.length; i += STOCK_SYNC_ASKED_AT_ONCE) {
      const answer = await this.services.request(STOCK_SYNC_ACCOUNTS, { accountIds: accountIds.slice(i, i + STOCK_SYNC_ASKED_AT_ONCE) });
      if (answer.accountIds.length === 0) continue;
      this.forget(answer.accountIds);
      await turnedOn(answer.accountIds);
    }
  }

  /** The next access read of these accounts asks order-ingestion again (their settings changed). */
  forget(accountIds: string[]): void {
    for (const id of accountIds) this.cache.delete(id);
  }

  /**
   * One request to order-ingestion and one decryption per account and minute, shared by all
   * callers (a claimed batch asks for the same account a hundred times at once); re-read so
   * changed credentials are picked up.
   */
  private entry(accountId: string): Promise<AccessEntry> {
    const known = this.cache.get(accountId);
    if (known && Date.now() - known.fetchedAt <= 60_000) return known.entry;
    const entry = this.services.request(GET_ACCOUNT_ACCESS, { id: accountId }).then((access) => ({
      access,
      spApi: {
        accountId,
        sellerId: access.sellerId,
        region: access.region,
        endpoint: access.apiEndpoint,
        lwaEndpoint: access.lwaEndpoint,
        clientId: access.lwaClientId,
        clientSecret: this.secrets.decrypt(access.encryptedClientSecret, accountSecretContext(accountId, 'clientSecret')),
        refreshToken: this.secrets.decrypt(access.encryptedRefreshToken, accountSecretContext(accountId, 'refreshToken')),
      },
    }));
    this.cache.set(accountId, { entry, fetchedAt: Date.now() });
    // A failed read is not remembered. An account order-ingestion no longer knows (deleted):
    // its client goes too.
    entry.catch((err) => {
      if (this.cache.get(accountId)?.entry === entry) this.cache.delete(accountId);
      if (err instanceof ServiceError && err.body.statusCode === 404) this.clients.forget(accountId);
    });
    return entry;
  }
}

import { AccountAccess, STOCK_SYNC_ACCOUNTS } from '@connector/contracts';
import { SecretBox, ServiceClient, ServiceError } from '@connector/platform';
import { AmazonEndpoints, SpApiClients } from '@connector/sp-api';
import { waitFor } from '@connector/test-environment';
import { AmazonAccessService } from './amazon-access.service';

describe('AmazonAccessService', () => {
  it("drops the SP-API client of an account order-ingestion no longer knows (deleted), and keeps it through a passing failure", async () => {
    const clients = new SpApiClients({ endpoints: new AmazonEndpoints(['http://127.0.0.1:1']) });
    let answer: () => Promise<AccountAccess> = async () =>
      ({ accountId: 'acc-1', region: 'EU', apiEndpoint: 'http://127.0.0.1:1', lwaEndpoint: 'http://127.0.0.1:1', lwaClientId: 'c', encryptedClientSecret: 's', encryptedRefreshToken: 'r' }) as AccountAccess;
    const services = { request: () => answer() } as unknown as ServiceClient;
    const secrets = { decrypt: (sealed: string) => `open-${sealed}` } as unknown as SecretBox;
    const access = new AmazonAccessService(services, secrets, clients);
    const now = jest.spyOn(Date, 'now');
    try {
      await access.client('acc-1');
      expect(clients.accountIds()).toEqual(['acc-1']);

      // A minute on, the account is read again: a timeout keeps the client, a 404 (deleted) drops it.
      now.mockReturnValue(Date.now() + 61_000);
      answer = async () => Promise.reject(new ServiceError({ statusCode: 503, error: 'Service Unavailable', message: 'no answer' }));
      await expect(access.client('acc-1')).rejects.toThrow();
      expect(clients.accountIds()).toEqual(['acc-1']);
      answer = async () => Promise.reject(ServiceError.notFound('account acc-1 not found'));
      await expect(access.client('acc-1')).rejects.toThrow();
    } finally {
      now.mockRestore();
    }
    await waitFor(() => clients.accountIds().length === 0, { what: 'the client of the deleted account dropped' });
  });

  const accessOf = (accountId: string, stockSync: boolean) =>
    ({ accountId, region: 'EU', apiEndpoint: 'http://127.0.0.1:1', lwaEndpoint: 'http://127.0.0.1:1', lwaClientId: 'c', encryptedClientSecret: 's', encryptedRefreshToken: 'r', stockSync }) as AccountAccess;
  const secrets = { decrypt: (sealed: string) => `open-${sealed}` } as unknown as SecretBox;

  it('an account order-ingestion says has turned stock sync on is read afresh next, not from the minute-old cache that still says off', async () => {
    let stockSync = false;
    const services = {
      request: async (contract: { subject: string }, payload: { accountIds?: string[] }) =>
        contract.subject === STOCK_SYNC_ACCOUNTS.subject ? { accountIds: stockSync ? payload.accountIds : [] } : accessOf('acc-1', stockSync),
    } as unknown as ServiceClient;
    const access = new AmazonAccessService(services, secrets, new SpApiClients({ endpoints: new AmazonEndpoints(['http://127.0.0.1:1']) }));
    expect((await access.access('acc-1')).stockSync).toBe(false);
    stockSync = true;
    const turnedOn: string[][] = [];
    await access.stockSyncOn(['acc-1'], async (ids) => {
      turnedOn.push(ids);
      // What the sender does next with the resumed rows: the account's access says on.
      expect((await access.access('acc-1')).stockSync).toBe(true);
    });
    expect(turnedOn).toEqual([['acc-1']]);
  });

  it('asks a thousand accounts at a time and resumes each answer as it comes: a failing later batch loses none of the earlier ones', async () => {
    const ids = Array.from({ length: 2500 }, (_, i) => `acc-${i}`);
    const asked: number[] = [];
    const services = {
      request: async (_contract: unknown, payload: { accountIds: string[] }) => {
        asked.push(payload.accountIds.length);
        if (asked.length === 2) throw new ServiceError({ statusCode: 503, error: 'Service Unavailable', message: 'no answer' });
        return { accountIds: payload.accountIds.slice(0, 2) };
      },
    } as unknown as ServiceClient;
    const access = new AmazonAccessService(services, secrets, new SpApiClients({ endpoints: new AmazonEndpoints(['http://127.0.0.1:1']) }));
    const turnedOn: string[][] = [];
    await expect(access.stockSyncOn(ids, async (on) => void turnedOn.push(on))).rejects.toThrow('no answer');
    expect(asked).toEqual([1000, 1000]);
    expect(turnedOn).toEqual([['acc-0', 'acc-1']]);
  });

  it('the stock-sync question is retried on a NATS blip (a pure read)', () => {
    expect(STOCK_SYNC_ACCOUNTS.idempotent).toBe(true);
  });
});

import { AccountAccess } from '@connector/contracts';
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
});

import { PayloadTooLargeException } from '@nestjs/common';
import { AccountsController } from './accounts.controller';

/** The import's size check follows the NATS server's max_payload, not NATS's default. */
describe('accounts import: refused whole (413) when it would not fit the NATS server\'s max_payload', () => {
  const account = (n: number) => ({ name: `Shop ${n}`, sellerId: `A2SHOP${String(n).padStart(6, '0')}`, region: 'EU', lwaClientId: 'c', lwaClientSecret: 's'.repeat(100), refreshToken: 't'.repeat(400), marketplaceIds: ['A1PA6795UKMFR9'] });
  const controllerWith = (maxPayload: number) => {
    const services = { maxPayload: jest.fn(async () => maxPayload), request: jest.fn(async () => ({ created: 0, accounts: [] })) };
    const secrets = { encrypt: (value: string) => `sealed:${value}` };
    const audit = { recordEach: jest.fn() };
    return { services, controller: new AccountsController(services as never, secrets as never, audit as never) };
  };
  const body = { accounts: Array.from({ length: 200 }, (_, i) => account(i)) } as never;

  it('a server of 64 KiB: 200 accounts (about 150 KiB sealed) are a 413 saying how many fit, nothing sent', async () => {
    const { controller, services } = controllerWith(64 * 1024);
    const refused = controller.import(body, {} as never);
    await expect(refused).rejects.toBeInstanceOf(PayloadTooLargeException);
    await expect(refused).rejects.toMatchObject({ response: { message: expect.stringMatching(/more than one import carries \(56 KiB\): send about \d+ at a time/) } });
    expect(services.request).not.toHaveBeenCalled();
  });

  it('the default 1 MiB server takes them', async () => {
    const { controller, services } = controllerWith(1024 * 1024);
    await controller.import(body, {} as never);
    expect(services.request).toHaveBeenCalledTimes(1);
  });
});

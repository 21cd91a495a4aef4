import { AccountsController, importAuditChanges } from './accounts.controller';

/** An import's own audit entry (refused, or its entries per account not written) names every account. */
describe('accounts import: the audit entry of the request', () => {
  const account = (n: number) => ({ name: `Shop ${n}`, sellerId: `A2SHOP${String(n).padStart(6, '0')}`, region: 'EU', lwaClientId: 'c', lwaClientSecret: `secret-${n}`, refreshToken: `Atzr|token-${n}`, marketplaceIds: ['A1PA6795UKMFR9'] });

  it('lists every seller and region by index (not the first 100), no secret', () => {
    const changes = importAuditChanges({ accounts: Array.from({ length: 500 }, (_, i) => account(i)) }) as any;
    expect(changes.count).toBe(500);
    expect(changes.accounts).toHaveLength(500);
    expect(changes.accounts[499]).toEqual({ index: 499, sellerId: 'A2SHOP000499', region: 'EU' });
    expect(JSON.stringify(changes)).not.toMatch(/secret-|Atzr/);
  });

  it('takes any body as sent, before validation: no list, odd items, too many', () => {
    expect(importAuditChanges(undefined)).toEqual({ accounts: null });
    expect(importAuditChanges({ accounts: 'x' })).toEqual({ accounts: null });
    expect(importAuditChanges({ accounts: [null, { sellerId: { a: 1 }, region: 'a\u0000b' }] })).toEqual({ count: 2, accounts: [{ index: 0, sellerId: null, region: null }, { index: 1, sellerId: '[not a string]', region: 'ab' }] });
    const many = importAuditChanges({ accounts: Array.from({ length: 10_000 }, () => ({})) }) as any;
    expect(many.count).toBe(10_000);
    expect(many.accounts).toHaveLength(501);
  });

  it('once created, names every account with its id, for when its entries per account cannot be written', async () => {
    const accounts = Array.from({ length: 300 }, (_, i) => account(i));
    const imported = { created: 300, accounts: accounts.map((a, index) => ({ index, id: `id-${index}`, name: a.name, sellerId: a.sellerId, region: a.region, firstSyncAt: null })) };
    const services = { maxPayload: async () => 1024 * 1024, request: async () => imported };
    // recordEach failed (it never throws): the request is not marked auditedEach.
    const audit = { recordEach: jest.fn(async () => undefined) };
    const controller = new AccountsController(services as never, { encrypt: (v: string) => `sealed:${v}` } as never, audit as never);
    const request: any = { method: 'POST', caller: { keyId: null, name: 'k' } };
    await controller.import({ accounts } as never, request);
    expect(request.auditChanges.accounts).toHaveLength(300);
    expect(request.auditChanges.accounts[299]).toEqual({ index: 299, id: 'id-299', sellerId: 'A2SHOP000299', region: 'EU' });
  });
});

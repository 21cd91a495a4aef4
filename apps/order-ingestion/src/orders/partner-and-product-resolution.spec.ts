import { randomUUID } from 'node:crypto';
import { RESOLVE_PARTNERS, RESOLVE_PRODUCTS } from '@connector/contracts';
import { ServiceClient, ServiceError } from '@connector/platform';
import { amazonOrder } from '@connector/testing';
import { SellerAccount } from '../accounts/seller-account.entity';
import { mapAmazonOrder } from './amazon-order.mapper';
import { PartnerAndProductResolution } from './partner-and-product-resolution';
import { SkuProductCache } from './sku-product-cache';

const DE = { marketplaceId: 'A1PA6795UKMFR9', currency: 'EUR', countryCode: 'DE', taxIncluded: true };
const account = { id: randomUUID(), defaultProductId: null } as SellerAccount;

const mapped = (n: number, sku: string, countryCode = 'DE') =>
  mapAmazonOrder(
    amazonOrder({
      orderId: `302-0000000-000000${n}`,
      address: { name: 'Erika', addressLine1: 'Weg 1', city: 'Köln', postalCode: '51147', countryCode },
      items: [{ orderItemId: `1000${n}`, sku, quantity: 1, unitPrice: '10.00', tax: '1.60' }],
    }),
    DE,
  );

/** Partner-resolution and inventory as stand-ins: each refuses (400) a batch holding what `refuses` names. */
const services = (refuses: { partyKeys?: string[]; skus?: string[] } = {}) => {
  const asked: { subject: string; size: number }[] = [];
  const client = {
    request: async (contract: { subject: string }, payload: any) => {
      if (contract.subject === RESOLVE_PARTNERS.subject) {
        asked.push({ subject: contract.subject, size: payload.parties.length });
        if (payload.parties.some((p: any) => refuses.partyKeys?.includes(p.key))) throw ServiceError.badRequest('Validation failed', [{ field: 'parties.0.address.postalCode', errors: ['not a postal code'] }]);
        return { parties: payload.parties.map((p: any) => ({ key: p.key, contactId: randomUUID(), deliveryAddressId: randomUUID() })) };
      }
      asked.push({ subject: contract.subject, size: payload.skus.length });
      if (payload.skus.some((s: any) => refuses.skus?.includes(s.sku))) throw ServiceError.badRequest('Validation failed');
      return { offers: payload.skus.map((s: any) => ({ sku: s.sku, productId: randomUUID() })) };
    },
  } as unknown as ServiceClient;
  return { client, asked };
};
const noCache = { productsOf: async () => new Map<string, string>() } as unknown as SkuProductCache;

describe('partner and product resolution of a page: a poison order is set aside alone', () => {
  it('checks each order against the contracts before asking anyone: an order with a three-letter country code is refused, nothing is asked for it', async () => {
    const { client, asked } = services();
    const page = [mapped(1, 'GOOD-1'), mapped(2, 'POISON-ONLY', 'DEU'), mapped(3, 'GOOD-1')];
    const result = await new PartnerAndProductResolution(client, noCache).resolve(account, page, new Map());
    expect(result.prepared.map((p) => p.mapped.amazonOrderId)).toEqual([page[0].amazonOrderId, page[2].amazonOrderId]);
    expect(result.refused).toEqual([{ order: page[1], reason: expect.stringMatching(/party\.address\.countryCode/) }]);
    // The poison order's SKU was never sent to inventory, its party never to partner-resolution.
    expect(asked).toEqual([{ subject: RESOLVE_PARTNERS.subject, size: 2 }, { subject: RESOLVE_PRODUCTS.subject, size: 1 }]);
    expect(result.learned.map((o) => o.sku)).toEqual(['GOOD-1']);
  });

  it('splits a batch that partner-resolution refuses (400) until it finds the culprit; the others are resolved', async () => {
    const page = Array.from({ length: 8 }, (_, i) => mapped(i + 1, `SKU-${i + 1}`));
    const culprit = page[5].amazonOrderId;
    const { client, asked } = services({ partyKeys: [culprit] });
    const result = await new PartnerAndProductResolution(client, noCache).resolve(account, page, new Map());
    expect(result.refused).toEqual([{ order: page[5], reason: expect.stringMatching(/refused: Validation failed \(parties\.0\.address\.postalCode: not a postal code\)/) }]);
    expect(result.prepared).toHaveLength(7);
    expect(result.prepared.map((p) => p.mapped.amazonOrderId)).not.toContain(culprit);
    // 1 + 2 + 2 + 2 tries of partners.resolve for 8 parties with one culprit: log2(8) levels.
    expect(asked.filter((a) => a.subject === RESOLVE_PARTNERS.subject).map((a) => a.size)).toEqual([8, 4, 4, 2, 2, 1, 1]);
  });

  it('sets aside every order of a SKU that inventory refuses, and no other', async () => {
    const page = [mapped(1, 'FINE'), mapped(2, 'REFUSED'), mapped(3, 'REFUSED'), mapped(4, 'ALSO-FINE')];
    const { client } = services({ skus: ['REFUSED'] });
    const result = await new PartnerAndProductResolution(client, noCache).resolve(account, page, new Map());
    expect(result.refused.map((r) => r.order.amazonOrderId)).toEqual([page[1].amazonOrderId, page[2].amazonOrderId]);
    expect(result.prepared.map((p) => p.mapped.amazonOrderId)).toEqual([page[0].amazonOrderId, page[3].amazonOrderId]);
    expect([...result.productIds.keys()].sort()).toEqual(['ALSO-FINE', 'FINE']);
  });

  it('fails the page as before on anything but a refusal (a service away): nothing is quarantined for an outage', async () => {
    const client = { request: async () => Promise.reject(new ServiceError({ statusCode: 503, error: 'Service Unavailable', message: 'no answer' })) } as unknown as ServiceClient;
    await expect(new PartnerAndProductResolution(client, noCache).resolve(account, [mapped(1, 'A')], new Map())).rejects.toMatchObject({ body: { statusCode: 503 } });
  });
});

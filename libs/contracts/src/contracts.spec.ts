import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateAccountMessage, CreateAccountRequest, ListAccountsRequest, CreateLocationRequest, CreateMarketplaceRequest, UpdateLocationChanges, OrderSyncedEvent, PutCarrierMappingRequest, ValidateDeliveryBody } from './index';

const errorsOf = <T extends object>(cls: new () => T, plain: object) =>
  validateSync(plainToInstance(cls, plain) as object, { forbidUnknownValues: true }).map((e) => e.property);

describe('message contracts', () => {
  it('an account needs its credentials, a known region and Amazon-shaped ids', () => {
    expect(errorsOf(CreateAccountRequest, { name: 'x', sellerId: 'A1B2C3D4', region: 'EU', lwaClientId: 'c', lwaClientSecret: 's', refreshToken: 'r', marketplaceIds: ['A1PA6795UKMFR9'] })).toEqual([]);
    expect(errorsOf(CreateAccountRequest, { name: '', sellerId: 'lower', region: 'MARS', marketplaceIds: ['bad id'] })).toEqual(
      expect.arrayContaining(['name', 'sellerId', 'region', 'lwaClientId', 'lwaClientSecret', 'refreshToken', 'marketplaceIds']),
    );
    expect(errorsOf(CreateAccountRequest, { name: 'x', sellerId: 'A1B2C3D4', region: 'EU', lwaClientId: 'c', lwaClientSecret: 's', refreshToken: 'r', marketplaceIds: ['A1PA6795UKMFR9'], apiEndpoint: 'not a url' })).toEqual(['apiEndpoint']);
  });

  it('GET /api/v1/accounts takes syncLagOverSeconds as whole seconds only: empty, blank, hex or exponent is refused, not read as 0', () => {
    const lagOf = (value: unknown) => (plainToInstance(ListAccountsRequest, { syncLagOverSeconds: value }) as ListAccountsRequest).syncLagOverSeconds;
    expect(errorsOf(ListAccountsRequest, { syncLagOverSeconds: '3600' })).toEqual([]);
    expect(lagOf('3600')).toBe(3600);
    // As the gateway forwards it on NATS (already a number).
    expect(errorsOf(ListAccountsRequest, { syncLagOverSeconds: 0 })).toEqual([]);
    for (const bad of ['', ' ', '0x10', '1e3', '-1', '1.5', 'abc']) expect([bad, errorsOf(ListAccountsRequest, { syncLagOverSeconds: bad })]).toEqual([bad, ['syncLagOverSeconds']]);
  });

  it('an account on NATS carries its secrets sealed, never in plain text', () => {
    const account = { name: 'x', sellerId: 'A1B2C3D4', region: 'EU', lwaClientId: 'c', marketplaceIds: ['A1PA6795UKMFR9'] };
    const sealed = 'v2:0a1b2c3d:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBB==:CCCC';
    expect(errorsOf(CreateAccountMessage, { ...account, sealedClientSecret: sealed, sealedRefreshToken: sealed })).toEqual([]);
    expect(errorsOf(CreateAccountMessage, { ...account, sealedClientSecret: 'my-plain-secret', sealedRefreshToken: 'Atzr|plain' })).toEqual(['sealedClientSecret', 'sealedRefreshToken']);
  });

  it('a marketplace needs ISO country and currency codes and a region', () => {
    expect(errorsOf(CreateMarketplaceRequest, { marketplaceId: 'A2NODRKZP88ZB9', name: 'Amazon.se', countryCode: 'SE', region: 'EU', currency: 'SEK', domain: 'amazon.se', taxIncluded: true })).toEqual([]);
    expect(errorsOf(CreateMarketplaceRequest, { marketplaceId: 'x', name: 'n', countryCode: 'Sweden', region: 'XX', currency: 'kr', domain: 'se', taxIncluded: 'yes' })).toEqual(
      expect.arrayContaining(['marketplaceId', 'countryCode', 'region', 'currency', 'domain', 'taxIncluded']),
    );
    // Well-formed, but no such codes.
    const sweden = { marketplaceId: 'A2NODRKZP88ZB9', name: 'Amazon.se', region: 'EU', domain: 'amazon.se', taxIncluded: true };
    expect(errorsOf(CreateMarketplaceRequest, { ...sweden, countryCode: 'UK', currency: 'XXY' })).toEqual(['countryCode', 'currency']);
    expect(errorsOf(CreateMarketplaceRequest, { ...sweden, countryCode: 'se', currency: 'sek' })).toEqual(['countryCode', 'currency']);
  });

  it('a marketplace domain is checked in linear time: crafted input is refused at once, not after minutes of backtracking', () => {
    const sweden = { marketplaceId: 'A2NODRKZP88ZB9', name: 'Amazon.se', countryCode: 'SE', region: 'EU', currency: 'SEK', taxIncluded: true };
    for (const domain of ['amazon.se', 'amazon.com.be', 'xn--amazon-9ya.example']) expect(errorsOf(CreateMarketplaceRequest, { ...sweden, domain })).toEqual([]);
    for (const domain of ['amazon', '.amazon.se', 'amazon..se', '-amazon.se', 'amazon-.se', 'Amazon.SE', 'amazon.s3']) expect(errorsOf(CreateMarketplaceRequest, { ...sweden, domain })).toEqual(['domain']);
    // Took the old pattern (/^[a-z0-9.-]+\.[a-z.]+$/) longer than this suite's timeout.
    for (const domain of ['.'.repeat(50_000) + '!', 'a.'.repeat(25_000) + '1', 'a'.repeat(50_000) + '.']) expect(errorsOf(CreateMarketplaceRequest, { ...sweden, domain })).toEqual(['domain']);
  });

  it('validating a delivery takes Amazon carrier codes; Other needs a carrier name', () => {
    expect(errorsOf(ValidateDeliveryBody, { carrierCode: 'DHL', trackingNumber: '1' })).toEqual([]);
    expect(errorsOf(ValidateDeliveryBody, { carrierCode: 'Pigeon', trackingNumber: '1' })).toEqual(['carrierCode']);
    expect(errorsOf(ValidateDeliveryBody, { carrierCode: 'Other', trackingNumber: '1' })).toEqual(['carrierName']);
    expect(errorsOf(ValidateDeliveryBody, { carrierCode: 'Other', carrierName: 'Local courier', trackingNumber: '1', lines: [{ orderItemId: '1', quantity: -1 }] })).toEqual(['lines']);
  });

  it("validating a delivery takes the seller's carrier name instead of a code: never empty, never both", () => {
    expect(errorsOf(ValidateDeliveryBody, { carrier: 'Kurier Müller', trackingNumber: '1', shippingMethod: 'Express' })).toEqual([]);
    expect(errorsOf(ValidateDeliveryBody, { carrier: '', trackingNumber: '1' })).toEqual(['carrier']);
    expect(errorsOf(ValidateDeliveryBody, { carrier: '   ', trackingNumber: '1' })).toEqual(['carrier']);
    expect(errorsOf(ValidateDeliveryBody, { carrier: 'dhl', carrierCode: 'DHL', trackingNumber: '1' })).toEqual(['carrier']);
    expect(errorsOf(ValidateDeliveryBody, { carrier: 'dhl', carrierName: 'DHL', trackingNumber: '1' })).toEqual(['carrierName']);
    expect(errorsOf(ValidateDeliveryBody, { trackingNumber: '1' })).toEqual(['carrierCode']);
  });

  it("a carrier mapping names one of Amazon's codes; Other needs the carrier's name", () => {
    expect(errorsOf(PutCarrierMappingRequest, { name: 'dhl paket', carrierCode: 'DHL' })).toEqual([]);
    expect(errorsOf(PutCarrierMappingRequest, { name: ' ', carrierCode: 'Pigeon' }).sort()).toEqual(['carrierCode', 'name']);
    expect(errorsOf(PutCarrierMappingRequest, { name: 'our van', carrierCode: 'Other' })).toEqual(['carrierName']);
    expect(errorsOf(PutCarrierMappingRequest, { name: 'our van', carrierCode: 'Other', carrierName: 'Van Dijk Koeriers' })).toEqual([]);
  });

  it("a warehouse has a name and an address in Amazon's shape (ISO country code), and optionally Amazon's supply source id", () => {
    const address = { name: 'Lager Hamburg', addressLine1: 'Hafenstraße 1', city: 'Hamburg', postalCode: '20457', countryCode: 'DE' };
    expect(errorsOf(CreateLocationRequest, { name: 'Hamburg', address, supplySourceId: '057d3fcc-b750-419f-bbcd-4d340c60c430' })).toEqual([]);
    expect(errorsOf(CreateLocationRequest, { name: ' ', kind: 'fba', supplySourceId: 'has spaces' })).toEqual(['name', 'kind', 'address', 'supplySourceId']);
    const bad = validateSync(plainToInstance(CreateLocationRequest, { name: 'x', address: { ...address, city: '', countryCode: 'UK', postalCode: '' } }) as object);
    expect(bad[0].children?.map((e) => e.property)).toEqual(['city', 'postalCode', 'countryCode']);
    // A change names only what changes; a name or address is never taken away, a supply source id may be.
    expect(errorsOf(UpdateLocationChanges, { supplySourceId: null })).toEqual([]);
    expect(errorsOf(UpdateLocationChanges, { name: null, address: null })).toEqual(['name', 'address']);
  });

  it('an order.synced event validates its nested lines', () => {
    const event = {
      orderId: '5b0f1c1e-6c3a-4e0e-9d7b-3f1f5c3a1a11',
      version: 1,
      accountId: '5b0f1c1e-6c3a-4e0e-9d7b-3f1f5c3a1a12',
      marketplaceId: 'A1PA6795UKMFR9',
      amazonOrderId: '028-1-1',
      channel: 'FBM',
      status: 'confirmed',
      contactId: '5b0f1c1e-6c3a-4e0e-9d7b-3f1f5c3a1a13',
      deliveryAddressId: '5b0f1c1e-6c3a-4e0e-9d7b-3f1f5c3a1a14',
      giftMessage: null,
      lines: [{ lineId: '5b0f1c1e-6c3a-4e0e-9d7b-3f1f5c3a1a15', kind: 'product', orderItemId: '1', productId: null, sku: 'A', quantity: 1, quantityShipped: 0 }],
    };
    expect(errorsOf(OrderSyncedEvent, event)).toEqual([]);
    expect(errorsOf(OrderSyncedEvent, { ...event, lines: [{ ...event.lines[0], quantity: -2 }] })).toEqual(['lines']);
    expect(errorsOf(OrderSyncedEvent, { ...event, lines: [] })).toEqual(['lines']);
  });
});

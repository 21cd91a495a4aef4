import { FulfillmentChannel, SalesOrderLineKind, SalesOrderStatus } from '@connector/contracts';
import type { V0Order, V0OrderItem } from '@connector/sp-api';
import { amazonOrder } from '@connector/testing';
import { isSyncable, mapAmazonOrder, MappingError } from './amazon-order.mapper';
import { convertV0Order, upperSnake, v0FulfillmentStatus } from './v0-order.converter';

const DE = { marketplaceId: 'A1PA6795UKMFR9', currency: 'EUR', countryCode: 'DE', taxIncluded: true };
const US = { marketplaceId: 'ATVPDKIKX0DER', currency: 'USD', countryCode: 'US', taxIncluded: false };

const eur = (Amount: string) => ({ CurrencyCode: 'EUR', Amount });
const usd = (Amount: string) => ({ CurrencyCode: 'USD', Amount });

// Fixtures in the shape of Amazon's Orders v0 model (getOrders with an RDT, getOrderItems).
const CREATED = '2026-11-20T09:15:00Z';
const UPDATED = '2026-11-21T17:40:12Z';

function deOrder(overrides: Partial<V0Order> = {}): V0Order {
  return {
    AmazonOrderId: '305-4417720-5524337',
    PurchaseDate: CREATED,
    LastUpdateDate: UPDATED,
    OrderStatus: 'Unshipped',
    FulfillmentChannel: 'MFN',
    SalesChannel: 'Amazon.de',
    ShipServiceLevel: 'Std DE Dom_1',
    ShipmentServiceLevelCategory: 'Standard',
    OrderTotal: eur('45.19'),
    NumberOfItemsShipped: 0,
    NumberOfItemsUnshipped: 4,
    PaymentMethod: 'Other',
    PaymentMethodDetails: ['Standard'],
    MarketplaceId: 'A1PA6795UKMFR9',
    OrderType: 'StandardOrder',
    EarliestShipDate: '2026-11-20T23:00:00Z',
    LatestShipDate: '2026-11-22T22:59:59Z',
    IsBusinessOrder: false,
    IsPrime: false,
    IsPremiumOrder: false,
    IsGlobalExpressEnabled: false,
    IsReplacementOrder: false,
    IsSoldByAB: false,
    IsISPU: false,
    IsAccessPointOrder: false,
    HasRegulatedItems: false,
    BuyerInfo: { BuyerEmail: 'q8kd2m4nx7pl1vz@marketplace.amazon.de', BuyerName: 'Jonas Becker' },
    ShippingAddress: {
      Name: 'Jonas Becker',
      AddressLine1: 'Lindenallee 42',
      City: 'Hamburg',
      StateOrRegion: 'Hamburg',
      PostalCode: '20259',
      CountryCode: 'DE',
      Phone: '+49 40 5550123',
      AddressType: 'Residential',
    },
    ...overrides,
  };
}

/** 3 × 11.90 with a 3.00 promotion, 4.99 shipping, gift-wrapped; and 1 × 5.00 with free shipping. */
function deItems(): V0OrderItem[] {
  return [
    {
      ASIN: 'B07ZQK4X2M',
      SellerSKU: 'MUG-ENAMEL-BLUE',
      OrderItemId: '61204418827302',
      Title: 'Enamel mug, blue',
      QuantityOrdered: 3,
      QuantityShipped: 0,
      ProductInfo: { NumberOfItems: '1' },
      ItemPrice: eur('35.70'),
      ShippingPrice: eur('4.99'),
      ItemTax: eur('5.22'),
      ShippingTax: eur('0.80'),
      PromotionDiscount: eur('3.00'),
      PromotionDiscountTax: eur('0.00'),
      ShippingDiscount: eur('0.00'),
      ShippingDiscountTax: eur('0.00'),
      PromotionIds: ['DE-MUGS-3OFF-2611'],
      IsGift: 'true',
      ConditionId: 'New',
      ConditionSubtypeId: 'New',
      IsTransparency: false,
      SerialNumberRequired: false,
      BuyerInfo: { GiftWrapPrice: eur('2.50'), GiftWrapTax: eur('0.40'), GiftWrapLevel: 'Classic', GiftMessageText: 'Alles Gute zum Geburtstag!' },
    },
    {
      ASIN: 'B08M4L7T1C',
      SellerSKU: 'SPOON-OAK',
      OrderItemId: '61204418827303',
      Title: 'Oak spoon',
      QuantityOrdered: 1,
      QuantityShipped: 0,
      ItemPrice: eur('5.00'),
      ShippingPrice: eur('3.99'),
      ItemTax: eur('0.80'),
      ShippingTax: eur('0.00'),
      PromotionDiscount: eur('0.00'),
      ShippingDiscount: eur('3.99'),
      PromotionIds: ['FREE-SHIPPING-0412'],
      IsGift: 'false',
      ConditionId: 'New',
      ConditionSubtypeId: 'New',
    },
  ];
}

describe('converting a v0 order into the v2026-01-01 shape', () => {
  it('makes exactly the sales order that the same order read through v2026-01-01 makes', () => {
    const v2026 = amazonOrder({
      orderId: '305-4417720-5524337',
      createdTime: CREATED,
      lastUpdatedTime: UPDATED,
      fulfilledBy: 'MERCHANT',
      status: 'UNSHIPPED',
      shipByWindow: { earliestDateTime: '2026-11-20T23:00:00Z', latestDateTime: '2026-11-22T22:59:59Z' },
      buyer: { buyerName: 'Jonas Becker', buyerEmail: 'q8kd2m4nx7pl1vz@marketplace.amazon.de' },
      address: { name: 'Jonas Becker', addressLine1: 'Lindenallee 42', city: 'Hamburg', stateOrRegion: 'Hamburg', postalCode: '20259', phone: '+49 40 5550123' },
      items: [
        {
          orderItemId: '61204418827302',
          sku: 'MUG-ENAMEL-BLUE',
          title: 'Enamel mug, blue',
          quantity: 3,
          unitPrice: '11.90',
          tax: '5.22',
          shipping: '4.99',
          shippingTax: '0.80',
          itemDiscount: '3.00',
          giftWrap: '2.50',
          giftWrapTax: '0.40',
          giftWrapLevel: 'Classic',
          giftMessage: 'Alles Gute zum Geburtstag!',
          promotionId: 'DE-MUGS-3OFF-2611',
        },
        { orderItemId: '61204418827303', sku: 'SPOON-OAK', title: 'Oak spoon', quantity: 1, unitPrice: '5.00', tax: '0.80', shipping: '3.99', shippingTax: '0.00', shippingDiscount: '3.99', promotionId: 'FREE-SHIPPING-0412' },
      ],
    });
    // The builder names ASINs after the SKU; v0 has Amazon's. Align them and compare the rest.
    v2026.orderItems[0].product.asin = 'B07ZQK4X2M';
    v2026.orderItems[1].product.asin = 'B08M4L7T1C';

    const converted = convertV0Order(deOrder(), deItems(), DE);
    const fromV0 = mapAmazonOrder(converted, DE);
    expect(fromV0).toEqual(mapAmazonOrder(v2026, DE));
    expect(fromV0).toMatchObject({ channel: FulfillmentChannel.FBM, status: SalesOrderStatus.Confirmed, amazonTotal: '45.19', linesTotal: '45.19', reconciled: true, giftMessage: 'Alles Gute zum Geburtstag!' });
    expect(fromV0.lines.map((l) => l.kind)).toEqual([SalesOrderLineKind.Product, SalesOrderLineKind.GiftWrap, SalesOrderLineKind.Product, SalesOrderLineKind.Shipping]);
    expect(fromV0.party.address).toMatchObject({ name: 'Jonas Becker', addressLine1: 'Lindenallee 42', countryCode: 'DE', addressType: 'RESIDENTIAL' });
  });

  it('writes proceeds as v2026 does: charges, VAT inside them (EU), negative discounts by subtype', () => {
    const converted = convertV0Order(deOrder(), deItems(), DE);
    expect(converted.fulfillment).toEqual({
      fulfillmentStatus: 'UNSHIPPED',
      fulfilledBy: 'MERCHANT',
      fulfillmentServiceLevel: 'STANDARD',
      shipByWindow: { earliestDateTime: '2026-11-20T23:00:00Z', latestDateTime: '2026-11-22T22:59:59Z' },
    });
    const [mug, spoon] = converted.orderItems;
    expect(mug.proceeds).toEqual({
      proceedsTotal: { amount: '40.19', currencyCode: 'EUR' }, // 35.70 + 4.99 + 2.50 − 3.00; the VAT is inside
      breakdowns: [
        { type: 'ITEM', subtotal: { amount: '35.70', currencyCode: 'EUR' } },
        { type: 'SHIPPING', subtotal: { amount: '4.99', currencyCode: 'EUR' } },
        { type: 'GIFT_WRAP', subtotal: { amount: '2.50', currencyCode: 'EUR' } },
        {
          type: 'TAX',
          subtotal: { amount: '6.42', currencyCode: 'EUR' },
          detailedBreakdowns: [
            { subtype: 'ITEM', value: { amount: '5.22', currencyCode: 'EUR' } },
            { subtype: 'SHIPPING', value: { amount: '0.80', currencyCode: 'EUR' } },
            { subtype: 'GIFT_WRAP', value: { amount: '0.40', currencyCode: 'EUR' } },
          ],
        },
        { type: 'DISCOUNT', subtotal: { amount: '-3.00', currencyCode: 'EUR' }, detailedBreakdowns: [{ subtype: 'ITEM', value: { amount: '-3.00', currencyCode: 'EUR' } }] },
      ],
    });
    expect(mug.product).toMatchObject({ asin: 'B07ZQK4X2M', sellerSku: 'MUG-ENAMEL-BLUE', condition: { conditionType: 'NEW', conditionSubtype: 'NEW' }, price: { unitPrice: { amount: '11.90', currencyCode: 'EUR' } } });
    expect(mug.fulfillment).toEqual({ quantityFulfilled: 0, quantityUnfulfilled: 3, packing: { giftOption: { giftMessage: 'Alles Gute zum Geburtstag!', giftWrapLevel: 'Classic' } } });
    expect(mug.promotion).toEqual({ breakdowns: [{ promotionId: 'DE-MUGS-3OFF-2611' }] });
    expect(spoon.proceeds?.breakdowns?.find((b) => b.type === 'DISCOUNT')).toEqual({
      type: 'DISCOUNT',
      subtotal: { amount: '-3.99', currencyCode: 'EUR' },
      detailedBreakdowns: [{ subtype: 'SHIPPING', value: { amount: '-3.99', currencyCode: 'EUR' } }],
    });
    expect(converted.proceeds?.grandTotal).toEqual({ amount: '45.19', currencyCode: 'EUR' });
    expect(converted.proceeds?.breakdowns).toEqual(
      expect.arrayContaining([
        { type: 'ITEM', subtotal: { amount: '40.70', currencyCode: 'EUR' } },
        { type: 'DISCOUNT', subtotal: { amount: '-6.99', currencyCode: 'EUR' } },
      ]),
    );
  });

  it('US (tax excluded): tax on the discount comes off the item tax, and the total adds the tax', () => {
    // Amazon's v0 style: ItemTax on the full price, PromotionDiscountTax the tax of the discount.
    const order: V0Order = {
      AmazonOrderId: '112-0938416-7720348',
      PurchaseDate: CREATED,
      LastUpdateDate: UPDATED,
      OrderStatus: 'Shipped',
      FulfillmentChannel: 'AFN',
      SalesChannel: 'Amazon.com',
      ShipmentServiceLevelCategory: 'Expedited',
      OrderTotal: usd('38.97'),
      MarketplaceId: 'ATVPDKIKX0DER',
      IsBusinessOrder: false,
      IsPrime: true,
      BuyerInfo: { BuyerEmail: 'w3rtz8k0pq2mbn4@marketplace.amazon.com', BuyerName: 'Dana Ortiz' },
      ShippingAddress: { City: 'Austin', StateOrRegion: 'TX', PostalCode: '78701-1234', CountryCode: 'US', AddressType: 'Residential', Name: 'Dana Ortiz', AddressLine1: '500 Congress Ave' },
    };
    const items: V0OrderItem[] = [
      {
        ASIN: 'B09TLX22QP',
        SellerSKU: 'LAMP-DESK',
        OrderItemId: '08822716533410',
        Title: 'Desk lamp',
        QuantityOrdered: 2,
        QuantityShipped: 2,
        ItemPrice: usd('40.00'),
        ItemTax: usd('3.30'),
        PromotionDiscount: usd('4.00'),
        PromotionDiscountTax: usd('0.33'),
        ShippingPrice: usd('0.00'),
        ShippingTax: usd('0.00'),
        ShippingDiscount: usd('0.00'),
        ShippingDiscountTax: usd('0.00'),
        PromotionIds: ['US-LAMPS-10PCT'],
        ConditionId: 'New',
        ConditionSubtypeId: 'New',
      },
    ];
    const converted = convertV0Order(order, items, US);
    expect(converted.fulfillment).toMatchObject({ fulfillmentStatus: 'SHIPPED', fulfilledBy: 'AMAZON', fulfillmentServiceLevel: 'EXPEDITED' });
    expect(converted.programs).toEqual(['PRIME']);
    const item = converted.orderItems[0];
    expect(item.proceeds?.breakdowns?.find((b) => b.type === 'TAX')?.detailedBreakdowns).toEqual([
      { subtype: 'ITEM', value: { amount: '2.97', currencyCode: 'USD' } },
      { subtype: 'SHIPPING', value: { amount: '0.00', currencyCode: 'USD' } },
    ]);
    expect(item.proceeds?.proceedsTotal).toEqual({ amount: '38.97', currencyCode: 'USD' }); // 40.00 − 4.00 + 2.97
    expect(item.fulfillment).toEqual({ quantityFulfilled: 2, quantityUnfulfilled: 0 });

    const mapped = mapAmazonOrder(converted, US);
    expect(mapped).toMatchObject({ channel: FulfillmentChannel.FBA, status: SalesOrderStatus.Shipped, reconciled: true, amazonTotal: '38.97', linesTotal: '38.97' });
    expect(mapped.lines).toHaveLength(1); // zero shipping: no shipping line
    expect(mapped.lines[0]).toMatchObject({ amountTaxExcluded: '40.00', discountTaxExcluded: '4.00', totalTaxExcluded: '36.00', taxAmount: '2.97', totalTaxIncluded: '38.97', quantityShipped: 2, promotionIds: ['US-LAMPS-10PCT'] });
    // When Amazon's own total disagrees, the order is kept but flagged, as on v2026.
    expect(mapAmazonOrder(convertV0Order({ ...order, OrderTotal: usd('42.35') }, items, US), US)).toMatchObject({ amazonTotal: '42.35', reconciled: false });
  });

  it.each([
    ['Pending', 'MFN', 'PENDING', false],
    ['PendingAvailability', 'MFN', 'PENDING_AVAILABILITY', false],
    ['Unshipped', 'MFN', 'UNSHIPPED', true],
    ['PartiallyShipped', 'MFN', 'PARTIALLY_SHIPPED', true],
    ['Shipped', 'MFN', 'SHIPPED', true],
    ['InvoiceUnconfirmed', 'MFN', 'SHIPPED', true],
    ['Canceled', 'MFN', 'CANCELLED', true],
    ['Unfulfillable', 'MFN', 'UNFULFILLABLE', false],
    ['Unshipped', 'AFN', 'UNSHIPPED', false],
    ['Shipped', 'AFN', 'SHIPPED', true],
    ['Canceled', 'AFN', 'CANCELLED', true],
  ] as const)('OrderStatus %s, %s → %s (synced: %s)', (status, channel, expected, synced) => {
    const header = convertV0Order(deOrder({ OrderStatus: status, FulfillmentChannel: channel }), [], DE);
    expect(header.fulfillment?.fulfillmentStatus).toBe(expected);
    expect(header.fulfillment?.fulfilledBy).toBe(channel === 'AFN' ? 'AMAZON' : 'MERCHANT');
    expect(isSyncable(header)).toBe(synced);
    expect(header.orderItems).toEqual([]);
  });

  it('knows no fulfillment status for an OrderStatus Amazon may add later', () => {
    expect(v0FulfillmentStatus('SomethingNew')).toBeUndefined();
    expect(v0FulfillmentStatus(undefined)).toBeUndefined();
  });

  it('a Pending order has no amounts: no proceeds, nothing to sync', () => {
    const pending = deOrder({ OrderStatus: 'Pending', OrderTotal: undefined, BuyerInfo: {}, ShippingAddress: undefined });
    const items = deItems().map(({ ItemPrice: _p, ShippingPrice: _s, ItemTax: _t, ShippingTax: _st, PromotionDiscount: _d, PromotionDiscountTax: _dt, ShippingDiscount: _sd, ShippingDiscountTax: _sdt, BuyerInfo: _b, ...rest }) => rest);
    const converted = convertV0Order(pending, items, DE);
    expect(converted.proceeds).toBeUndefined();
    expect(converted.buyer).toBeUndefined();
    expect(converted.recipient).toBeUndefined();
    expect(converted.orderItems.every((i) => i.proceeds === undefined)).toBe(true);
    expect(isSyncable(converted)).toBe(false);
  });

  it('a cancelled order without OrderTotal has no grand total (the writer skips it unless it was synced before)', () => {
    const converted = convertV0Order(deOrder({ OrderStatus: 'Canceled', OrderTotal: undefined }), [], DE);
    expect(converted.proceeds).toBeUndefined();
    expect(converted.fulfillment?.fulfillmentStatus).toBe('CANCELLED');
  });

  it('business orders: IsBusinessOrder and the company from BuyerTaxInfo and the address', () => {
    const converted = convertV0Order(
      deOrder({
        IsBusinessOrder: true,
        BuyerInfo: { BuyerEmail: 'b2b@marketplace.amazon.de', BuyerName: 'Petra Weiss', BuyerTaxInfo: { CompanyLegalName: 'Weiss Logistik GmbH' }, PurchaseOrderNumber: 'PO-7781' },
        ShippingAddress: { ...deOrder().ShippingAddress, CompanyName: 'Weiss Logistik GmbH', AddressType: 'Commercial' },
      }),
      deItems(),
      DE,
    );
    expect(converted.programs).toEqual(['AMAZON_BUSINESS']);
    expect(converted.buyer).toEqual({ buyerName: 'Petra Weiss', buyerEmail: 'b2b@marketplace.amazon.de', buyerCompanyName: 'Weiss Logistik GmbH', buyerPurchaseOrderNumber: 'PO-7781' });
    const mapped = mapAmazonOrder(converted, DE);
    expect(mapped.isBusinessOrder).toBe(true);
    expect(mapped.party).toMatchObject({ buyer: { companyName: 'Weiss Logistik GmbH' }, address: { companyName: 'Weiss Logistik GmbH', addressType: 'COMMERCIAL' } });
  });

  it('conditions and service levels in the v2026 spelling, so line texts match', () => {
    const items = deItems();
    Object.assign(items[1], { ConditionId: 'Used', ConditionSubtypeId: 'Very Good', ConditionNote: 'Small scratch on the handle' });
    const converted = convertV0Order(deOrder({ ShipmentServiceLevelCategory: 'NextDay' }), items, DE);
    expect(converted.orderItems[1].product.condition).toEqual({ conditionType: 'USED', conditionSubtype: 'VERY_GOOD', conditionNote: 'Small scratch on the handle' });
    const mapped = mapAmazonOrder(converted, DE);
    expect(mapped.lines.find((l) => l.sku === 'SPOON-OAK')?.description).toBe('Condition: used, very good (Small scratch on the handle)');
    expect(mapped.lines.find((l) => l.kind === SalesOrderLineKind.Shipping)?.name).toBe('Shipping (next_day)');
    expect(['VeryGood', 'Very Good', 'FreeEconomy', 'SameDay', 'OEM', 'Open Box'].map(upperSnake)).toEqual(['VERY_GOOD', 'VERY_GOOD', 'FREE_ECONOMY', 'SAME_DAY', 'OEM', 'OPEN_BOX']);
  });

  it('a buyer-requested cancellation is kept on the item', () => {
    const items = deItems();
    items[0].BuyerRequestedCancel = { IsBuyerRequestedCancel: 'true', BuyerCancelReason: 'Ordered by mistake' };
    const converted = convertV0Order(deOrder(), items, DE);
    expect(converted.orderItems[0].cancellation).toEqual({ cancellationRequest: { requester: 'BUYER', cancelReason: 'Ordered by mistake' } });
    expect(converted.orderItems[1].cancellation).toBeUndefined();
  });

  it('what the warehouse needs makes the same sales order through both APIs: windows, Prime, business, replacement, the buyer\'s cancellation request', () => {
    const items = deItems();
    items[1].BuyerRequestedCancel = { IsBuyerRequestedCancel: 'true', BuyerCancelReason: 'Found a better price' };
    const v0 = deOrder({
      EarliestDeliveryDate: '2026-11-23T07:00:00Z',
      LatestDeliveryDate: '2026-11-24T19:59:59Z',
      IsPrime: true,
      IsBusinessOrder: true,
      IsReplacementOrder: true,
      ReplacedOrderId: '305-1111111-2222222',
    });
    const fromV0 = mapAmazonOrder(convertV0Order(v0, items, DE), DE);
    expect(fromV0).toMatchObject({
      earliestShipDate: new Date('2026-11-20T23:00:00Z'),
      latestShipDate: new Date('2026-11-22T22:59:59Z'),
      earliestDeliveryDate: new Date('2026-11-23T07:00:00Z'),
      latestDeliveryDate: new Date('2026-11-24T19:59:59Z'),
      isPrime: true,
      isBusinessOrder: true,
      isReplacementOrder: true,
      replacedOrderId: '305-1111111-2222222',
      buyerCancelRequested: true,
      buyerCancelReason: 'Found a better price',
    });
    expect(fromV0.lines.filter((l) => l.buyerCancelRequested).map((l) => [l.orderItemId, l.buyerCancelReason])).toEqual([['61204418827303', 'Found a better price']]);

    const v2026 = convertV0Order(v0, items, DE);
    expect(v2026.programs).toEqual(['AMAZON_BUSINESS', 'PRIME']);
    expect(v2026.associatedOrders).toEqual([{ orderId: '305-1111111-2222222', associationType: 'REPLACEMENT_ORIGINAL_ID' }]);
    expect(v2026.fulfillment?.deliverByWindow).toEqual({ earliestDateTime: '2026-11-23T07:00:00Z', latestDateTime: '2026-11-24T19:59:59Z' });
  });

  it('a replacement order Amazon flags as text ("true"), without the replaced id, is still a replacement', () => {
    const v0 = deOrder({ IsReplacementOrder: 'true' as unknown as boolean });
    expect(mapAmazonOrder(convertV0Order(v0, deItems(), DE), DE)).toMatchObject({ isReplacementOrder: true, replacedOrderId: null });
    expect(mapAmazonOrder(convertV0Order(deOrder({ IsReplacementOrder: 'false' as unknown as boolean }), deItems(), DE), DE).isReplacementOrder).toBe(false);
  });

  it('refuses amounts that are not amounts, with the field named', () => {
    const items = deItems();
    items[0].ItemPrice = eur('twelve');
    expect(() => convertV0Order(deOrder(), items, DE)).toThrow(MappingError);
    expect(() => convertV0Order(deOrder(), items, DE)).toThrow(/item 61204418827302 ItemPrice/);
    expect(() => convertV0Order(deOrder({ OrderTotal: eur('NaN') }), deItems(), DE)).toThrow(/OrderTotal/);
  });

  it('refuses one amount in two currencies', () => {
    const items = deItems();
    items[0].PromotionDiscountTax = usd('0.10');
    expect(() => convertV0Order(deOrder(), items, DE)).toThrow(/EUR and USD/);
  });
});

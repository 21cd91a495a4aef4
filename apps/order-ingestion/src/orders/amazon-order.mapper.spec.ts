import { FulfillmentChannel, SalesOrderLineKind, SalesOrderStatus } from '@connector/contracts';
import { amazonOrder } from '@connector/testing';
import type { AmazonOrder, V0Order, V0OrderItem } from '@connector/sp-api';
import { isSyncable, lineAmounts, mapAmazonOrder, MappingError } from './amazon-order.mapper';
import { convertV0Order } from './v0-order.converter';

const DE = { marketplaceId: 'A1PA6795UKMFR9', currency: 'EUR', countryCode: 'DE', taxIncluded: true };
const US = { marketplaceId: 'ATVPDKIKX0DER', currency: 'USD', countryCode: 'US', taxIncluded: false };
const UK = { marketplaceId: 'A1F83G8C2ARO7P', currency: 'GBP', countryCode: 'GB', taxIncluded: true };
const JP = { marketplaceId: 'A1VC38T7YXB528', currency: 'JPY', countryCode: 'JP', taxIncluded: true };

const amount = (value: string, currencyCode: string) => ({ amount: value, currencyCode });
/** An order in Amazon's v2026-01-01 shape, written out the way Amazon's examples are. */
const v2026Order = (fields: { orderId: string; marketplaceId: string; currency: string; grandTotal: string; orderBreakdowns?: object[]; items: { id: string; sku: string; quantity: number; proceedsTotal: string; breakdowns: object[] }[] }) =>
  ({
    orderId: fields.orderId,
    createdTime: '2026-11-20T10:00:00Z',
    lastUpdatedTime: '2026-11-20T12:00:00Z',
    salesChannel: { channelName: 'AMAZON', marketplaceId: fields.marketplaceId },
    fulfillment: { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT', fulfillmentServiceLevel: 'STANDARD' },
    buyer: { buyerName: 'A Buyer', buyerEmail: 'buyer@marketplace.amazon.com' },
    recipient: { deliveryAddress: { name: 'A Buyer', addressLine1: '1 Road', city: 'Town', postalCode: '12345', countryCode: 'US' } },
    proceeds: { grandTotal: amount(fields.grandTotal, fields.currency), breakdowns: fields.orderBreakdowns ?? [] },
    orderItems: fields.items.map((item) => ({
      orderItemId: item.id,
      quantityOrdered: item.quantity,
      product: { asin: `B0${item.id}`, title: `Product ${item.sku}`, sellerSku: item.sku, condition: { conditionType: 'NEW' } },
      proceeds: { proceedsTotal: amount(item.proceedsTotal, fields.currency), breakdowns: item.breakdowns },
    })),
  }) as unknown as AmazonOrder;

describe('mapping an Amazon order into a sales order', () => {
  it('EU (tax included): the VAT is inside the price; lines add up to the total exactly', () => {
    const order = amazonOrder({
      orderId: '028-1111111-1111111',
      items: [{ orderItemId: '1', sku: 'MUG', title: 'Mug', quantity: 3, unitPrice: '11.90', tax: '5.70', shipping: '4.99', shippingTax: '0.80' }],
    });
    const mapped = mapAmazonOrder(order, DE);
    const [product, shipping] = mapped.lines;
    expect(product).toMatchObject({
      kind: SalesOrderLineKind.Product,
      quantity: 3,
      unitPriceTaxIncluded: '11.90',
      unitPriceTaxExcluded: '10.00',
      amountTaxIncluded: '35.70',
      amountTaxExcluded: '30.00',
      taxAmount: '5.70',
      totalTaxIncluded: '35.70',
    });
    expect(shipping).toMatchObject({ kind: SalesOrderLineKind.Shipping, totalTaxIncluded: '4.99', totalTaxExcluded: '4.19', taxAmount: '0.80' });
    expect(mapped).toMatchObject({ amazonTotal: '40.69', linesTotal: '40.69', reconciled: true, currency: 'EUR' });
  });

  it('US (tax excluded): the tax is added on top', () => {
    const order = amazonOrder({
      orderId: '111-2222222-2222222',
      marketplaceId: 'ATVPDKIKX0DER',
      currency: 'USD',
      taxIncluded: false,
      items: [{ orderItemId: '1', sku: 'LAMP', quantity: 2, unitPrice: '20.00', tax: '3.30', shipping: '5.00', shippingTax: '0.41' }],
    });
    const mapped = mapAmazonOrder(order, US);
    expect(mapped.lines[0]).toMatchObject({ amountTaxExcluded: '40.00', amountTaxIncluded: '43.30', totalTaxIncluded: '43.30', unitPriceTaxExcluded: '20.00', taxAmount: '3.30' });
    expect(mapped.lines[1]).toMatchObject({ totalTaxExcluded: '5.00', totalTaxIncluded: '5.41' });
    expect(mapped).toMatchObject({ amazonTotal: '48.71', linesTotal: '48.71', reconciled: true });
  });

  it('promotions: item and shipping discounts on their lines, with their promotion ids, still reconciling', () => {
    const order = amazonOrder({
      orderId: '028-3333333-3333333',
      items: [{ orderItemId: '1', sku: 'MUG', quantity: 2, unitPrice: '10.00', tax: '2.87', itemDiscount: '2.00', shipping: '3.00', shippingTax: '0.00', shippingDiscount: '3.00', promotionId: 'FREESHIP' }],
    });
    const mapped = mapAmazonOrder(order, DE);
    const product = mapped.lines.find((l) => l.kind === SalesOrderLineKind.Product)!;
    const shipping = mapped.lines.find((l) => l.kind === SalesOrderLineKind.Shipping)!;
    expect(product).toMatchObject({ amountTaxIncluded: '20.00', discountTaxIncluded: '2.00', totalTaxIncluded: '18.00', totalTaxExcluded: '15.13', promotionIds: ['FREESHIP'] });
    // The identities hold exactly, whatever the rounding of the derived side.
    const cents = (a: string) => Math.round(Number(a) * 100);
    expect(cents(product.amountTaxExcluded) - cents(product.discountTaxExcluded)).toBe(cents(product.totalTaxExcluded));
    expect(shipping).toMatchObject({ amountTaxIncluded: '3.00', discountTaxIncluded: '3.00', totalTaxIncluded: '0.00', promotionIds: ['FREESHIP'] });
    expect(mapped.reconciled).toBe(true);
  });

  it('gift wrap: a line per wrapped item with its level and message, the message also on the order', () => {
    const order = amazonOrder({
      orderId: '028-4444444-4444444',
      items: [{ orderItemId: '7', sku: 'BOOK', quantity: 1, unitPrice: '15.00', tax: '0.98', giftWrap: '3.00', giftWrapTax: '0.48', giftMessage: 'Alles Gute!', giftWrapLevel: 'Deluxe' }],
    });
    const mapped = mapAmazonOrder(order, DE);
    expect(mapped.giftMessage).toBe('Alles Gute!');
    expect(mapped.lines.find((l) => l.kind === SalesOrderLineKind.GiftWrap)).toMatchObject({
      lineKey: 'gift_wrap:7',
      orderItemId: '7',
      giftWrapLevel: 'Deluxe',
      giftMessage: 'Alles Gute!',
      totalTaxIncluded: '3.00',
      taxAmount: '0.48',
    });
    expect(mapped.reconciled).toBe(true);
  });

  it('a UK business-price order whose TAX Amazon adds on top (as in Amazon\'s getOrder example) reconciles: Amazon\'s total decides the convention', () => {
    const order = v2026Order({
      orderId: '202-1234567-1234567',
      marketplaceId: UK.marketplaceId,
      currency: 'GBP',
      grandTotal: '103.97',
      items: [
        {
          id: '12345678901234',
          sku: 'BIZ-MUG',
          quantity: 3,
          proceedsTotal: '103.97',
          breakdowns: [
            { type: 'ITEM', subtotal: amount('89.97', 'GBP') },
            { type: 'SHIPPING', subtotal: amount('10.00', 'GBP') },
            { type: 'TAX', subtotal: amount('4.00', 'GBP'), detailedBreakdowns: [{ subtype: 'ITEM', value: amount('3.00', 'GBP') }, { subtype: 'SHIPPING', value: amount('1.00', 'GBP') }] },
          ],
        },
      ],
    });
    const mapped = mapAmazonOrder(order, UK);
    expect(mapped.lines[0]).toMatchObject({ unitPriceTaxExcluded: '29.99', totalTaxExcluded: '89.97', taxAmount: '3.00', totalTaxIncluded: '92.97' });
    expect(mapped.lines[1]).toMatchObject({ kind: SalesOrderLineKind.Shipping, totalTaxExcluded: '10.00', totalTaxIncluded: '11.00' });
    expect(mapped).toMatchObject({ amazonTotal: '103.97', linesTotal: '103.97', reconciled: true });
    // The same order with a total that includes the VAT is read the marketplace's way (VAT inside).
    const vatInside = structuredClone(order);
    vatInside.proceeds!.grandTotal!.amount = '99.97';
    expect(mapAmazonOrder(vatInside, UK).lines[0]).toMatchObject({ totalTaxIncluded: '89.97', totalTaxExcluded: '86.97', taxAmount: '3.00' });
    expect(mapAmazonOrder(vatInside, UK).reconciled).toBe(true);
  });

  it('a US order is never read as tax-included: a total without its tax is flagged, not taken', () => {
    const order = amazonOrder({ orderId: '111-3333333-3333333', marketplaceId: US.marketplaceId, currency: 'USD', taxIncluded: false, grandTotal: '40.00', items: [{ orderItemId: '1', sku: 'LAMP', quantity: 2, unitPrice: '20.00', tax: '3.30' }] });
    const mapped = mapAmazonOrder(order, US);
    expect(mapped.lines[0]).toMatchObject({ totalTaxExcluded: '40.00', totalTaxIncluded: '43.30' });
    expect(mapped).toMatchObject({ amazonTotal: '40.00', linesTotal: '43.30', reconciled: false });
  });

  it('a delivery tip, charged apart from the items (as in Amazon\'s searchOrders example), is a line of its own', () => {
    const order = v2026Order({
      orderId: '113-4567890-1234567',
      marketplaceId: US.marketplaceId,
      currency: 'USD',
      grandTotal: '154.99',
      orderBreakdowns: [
        { type: 'ITEM', subtotal: amount('149.97', 'USD') },
        { type: 'TAX', subtotal: amount('0.02', 'USD') },
        { type: 'DELIVERY_TIP', status: 'FINALIZED', subtotal: amount('5.00', 'USD') },
      ],
      items: [
        { id: '1', sku: 'CABLE', quantity: 2, proceedsTotal: '100.00', breakdowns: [{ type: 'ITEM', subtotal: amount('99.98', 'USD') }, { type: 'TAX', subtotal: amount('0.02', 'USD'), detailedBreakdowns: [{ subtype: 'ITEM', value: amount('0.02', 'USD') }] }] },
        { id: '2', sku: 'CASE', quantity: 1, proceedsTotal: '49.99', breakdowns: [{ type: 'ITEM', subtotal: amount('49.99', 'USD') }] },
      ],
    });
    const mapped = mapAmazonOrder(order, US);
    expect(mapped.lines.map((l) => [l.lineKey, l.kind, l.totalTaxIncluded])).toEqual([
      ['item:1', SalesOrderLineKind.Product, '100.00'],
      ['item:2', SalesOrderLineKind.Product, '49.99'],
      ['delivery_tip', SalesOrderLineKind.Charge, '5.00'],
    ]);
    expect(mapped.lines[2]).toMatchObject({ name: 'Delivery tip', taxAmount: '0.00', totalTaxExcluded: '5.00' });
    expect(mapped).toMatchObject({ amazonTotal: '154.99', linesTotal: '154.99', reconciled: true });
  });

  it('cash-on-delivery fees and other charges are lines of their own, summed over the items', () => {
    const order = v2026Order({
      orderId: '503-1111111-1111111',
      marketplaceId: JP.marketplaceId,
      currency: 'JPY',
      grandTotal: '2760',
      items: [
        { id: '1', sku: 'TEA', quantity: 1, proceedsTotal: '1330', breakdowns: [{ type: 'ITEM', subtotal: amount('1000', 'JPY') }, { type: 'COD_FEE', subtotal: amount('330', 'JPY') }, { type: 'TAX', subtotal: amount('121', 'JPY'), detailedBreakdowns: [{ subtype: 'ITEM', value: amount('91', 'JPY') }, { subtype: 'COD_FEE', value: amount('30', 'JPY') }] }] },
        { id: '2', sku: 'POT', quantity: 1, proceedsTotal: '1430', breakdowns: [{ type: 'ITEM', subtotal: amount('1200', 'JPY') }, { type: 'OTHER', subtotal: amount('230', 'JPY') }] },
      ],
    });
    const mapped = mapAmazonOrder(order, JP);
    expect(mapped.lines.map((l) => [l.lineKey, l.kind, l.totalTaxIncluded, l.taxAmount])).toEqual([
      ['item:1', SalesOrderLineKind.Product, '1000.00', '91.00'],
      ['item:2', SalesOrderLineKind.Product, '1200.00', '0.00'],
      ['cod_fee', SalesOrderLineKind.Charge, '330.00', '30.00'],
      ['other_charges', SalesOrderLineKind.Charge, '230.00', '0.00'],
    ]);
    expect(mapped.lines[2].name).toBe('Cash on delivery fee');
    expect(mapped.reconciled).toBe(true);
  });

  it('a v0 cash-on-delivery order maps with its fee and reconciles', () => {
    const v0Order = { AmazonOrderId: '503-2222222-2222222', PurchaseDate: '2026-11-20T00:00:00Z', LastUpdateDate: '2026-11-21T00:00:00Z', OrderStatus: 'Unshipped', FulfillmentChannel: 'MFN', MarketplaceId: JP.marketplaceId, OrderTotal: { CurrencyCode: 'JPY', Amount: '1330' }, PaymentMethod: 'COD' } as V0Order;
    const v0Items = [{ OrderItemId: '1', SellerSKU: 'TEA', ASIN: 'B01', QuantityOrdered: 1, ItemPrice: { CurrencyCode: 'JPY', Amount: '1000' }, ItemTax: { CurrencyCode: 'JPY', Amount: '0' }, CODFee: { CurrencyCode: 'JPY', Amount: '330' }, CODFeeDiscount: { CurrencyCode: 'JPY', Amount: '0' } }] as V0OrderItem[];
    const mapped = mapAmazonOrder(convertV0Order(v0Order, v0Items, { taxIncluded: true }), JP);
    expect(mapped.lines.map((l) => [l.lineKey, l.totalTaxIncluded])).toEqual([
      ['item:1', '1000.00'],
      ['cod_fee', '330.00'],
    ]);
    expect(mapped).toMatchObject({ amazonTotal: '1330.00', reconciled: true });
  });

  it('flags an order whose lines do not add up to Amazon total, and keeps both figures', () => {
    const order = amazonOrder({ orderId: '028-5555555-5555555', grandTotal: '99.99', items: [{ orderItemId: '1', sku: 'A', quantity: 1, unitPrice: '10.00', tax: '1.60' }] });
    const mapped = mapAmazonOrder(order, DE);
    expect(mapped).toMatchObject({ reconciled: false, amazonTotal: '99.99', linesTotal: '10.00' });
  });

  it('maps channel and status; FBA only once shipped or cancelled, Pending never', () => {
    const fba = amazonOrder({ orderId: '1', fulfilledBy: 'AMAZON', status: 'SHIPPED', items: [{ orderItemId: '1', sku: 'A', quantity: 1, unitPrice: '1.00' }] });
    expect(mapAmazonOrder(fba, DE)).toMatchObject({ channel: FulfillmentChannel.FBA, status: SalesOrderStatus.Shipped });
    expect(isSyncable(fba)).toBe(true);
    expect(isSyncable({ ...fba, fulfillment: { ...fba.fulfillment!, fulfillmentStatus: 'UNSHIPPED' } })).toBe(false);
    const fbm = amazonOrder({ orderId: '2', status: 'PARTIALLY_SHIPPED', items: [{ orderItemId: '1', sku: 'A', quantity: 2, unitPrice: '1.00', quantityShipped: 1 }] });
    expect(mapAmazonOrder(fbm, DE)).toMatchObject({ channel: FulfillmentChannel.FBM, status: SalesOrderStatus.PartiallyShipped });
    expect(mapAmazonOrder(fbm, DE).lines[0].quantityShipped).toBe(1);
    expect(isSyncable({ ...fbm, fulfillment: { ...fbm.fulfillment!, fulfillmentStatus: 'PENDING' } })).toBe(false);
    const canceled = amazonOrder({ orderId: '3', status: 'CANCELLED', items: [{ orderItemId: '1', sku: 'A', quantity: 1, unitPrice: '1.00' }] });
    expect(mapAmazonOrder(canceled, DE)).toMatchObject({ status: SalesOrderStatus.Canceled, canceledByAmazon: true });
  });

  it('keeps a business buyer company, a used condition, and falls back to the marketplace country', () => {
    const order = amazonOrder({
      orderId: '028-6666666-6666666',
      buyer: { buyerName: 'Jo Buyer', buyerCompanyName: 'ACME GmbH', buyerEmail: 'x@marketplace.amazon.de' },
      address: { countryCode: '' },
      items: [{ orderItemId: '1', sku: 'A', quantity: 1, unitPrice: '5.00', condition: { conditionType: 'USED', conditionSubtype: 'VERY_GOOD' } }],
    });
    const mapped = mapAmazonOrder(order, DE);
    expect(mapped.isBusinessOrder).toBe(true);
    expect(mapped.party.buyer).toMatchObject({ companyName: 'ACME GmbH', email: 'x@marketplace.amazon.de' });
    expect(mapped.party.address.countryCode).toBe('DE');
    expect(mapped.lines[0].description).toBe('Condition: used, very good');
  });

  it('refuses what it cannot map, with the reason', () => {
    const base = amazonOrder({ orderId: '028-7777777-7777777', items: [{ orderItemId: '1', sku: 'A', quantity: 1, unitPrice: '5.00' }] });
    const broken = structuredClone(base);
    broken.orderItems[0].proceeds!.breakdowns![0].subtotal.amount = '5.001';
    expect(() => mapAmazonOrder(broken, DE)).toThrow(new MappingError('item 1 ITEM: "5.001" is not an amount with at most two decimals'));
    const noSku = structuredClone(base);
    delete noSku.orderItems[0].product.sellerSku;
    expect(() => mapAmazonOrder(noSku, DE)).toThrow('item 1 has no seller SKU');
    const wrongCurrency = structuredClone(base);
    wrongCurrency.orderItems[0].proceeds!.breakdowns![0].subtotal.currencyCode = 'USD';
    expect(() => mapAmazonOrder(wrongCurrency, DE)).toThrow(MappingError);
    expect(() => mapAmazonOrder({ ...base, orderItems: [] }, DE)).toThrow('order has no items');
  });

  it('refuses an unknown currency and an item without a quantity: such an order is quarantined, not its page failed', () => {
    const unknownCurrency = amazonOrder({ orderId: '028-7777777-7777778', currency: 'QQQ', items: [{ orderItemId: '1', sku: 'A', quantity: 1, unitPrice: '5.00' }] });
    expect(() => mapAmazonOrder(unknownCurrency, DE)).toThrow(new MappingError('currency "QQQ" is not an ISO 4217 currency'));
    const noQuantity = amazonOrder({ orderId: '028-7777777-7777779', items: [{ orderItemId: '1', sku: 'A', quantity: 1, unitPrice: '5.00' }] });
    delete (noQuantity.orderItems[0] as Partial<(typeof noQuantity.orderItems)[0]>).quantityOrdered;
    expect(() => mapAmazonOrder(noQuantity, DE)).toThrow(new MappingError('item 1 has an invalid quantity'));
  });
});

describe('what the warehouse needs', () => {
  const item = { orderItemId: '1', sku: 'MUG-1', quantity: 1, unitPrice: '11.90', tax: '1.90' };

  it('maps ship-by and deliver-by windows, Prime, business and replacement orders (v2026-01-01)', () => {
    const mapped = mapAmazonOrder(
      amazonOrder({
        orderId: '028-0000001-0000001',
        programs: ['PRIME', 'AMAZON_BUSINESS'],
        replacedOrderId: '028-0000000-0000009',
        shipByWindow: { earliestDateTime: '2026-12-07T08:00:00Z', latestDateTime: '2026-12-08T18:00:00Z' },
        deliverByWindow: { earliestDateTime: '2026-12-09T08:00:00Z', latestDateTime: '2026-12-10T20:00:00Z' },
        items: [item],
      }),
      DE,
    );
    expect(mapped).toMatchObject({
      isPrime: true,
      isBusinessOrder: true,
      isReplacementOrder: true,
      replacedOrderId: '028-0000000-0000009',
      earliestShipDate: new Date('2026-12-07T08:00:00Z'),
      latestShipDate: new Date('2026-12-08T18:00:00Z'),
      earliestDeliveryDate: new Date('2026-12-09T08:00:00Z'),
      latestDeliveryDate: new Date('2026-12-10T20:00:00Z'),
      buyerCancelRequested: false,
      buyerCancelReason: null,
    });
  });

  it('an order without them has none: no windows, not Prime, not a replacement', () => {
    const mapped = mapAmazonOrder(amazonOrder({ orderId: '028-0000002-0000002', items: [item] }), DE);
    expect(mapped).toMatchObject({ isPrime: false, isReplacementOrder: false, replacedOrderId: null, earliestShipDate: null, latestShipDate: null, earliestDeliveryDate: null, latestDeliveryDate: null });
  });

  it('an exchange is not a replacement', () => {
    const order = amazonOrder({ orderId: '028-0000003-0000003', items: [item] });
    order.associatedOrders = [{ orderId: '028-0000000-0000008', associationType: 'EXCHANGE_ORIGINAL_ID' }];
    expect(mapAmazonOrder(order, DE)).toMatchObject({ isReplacementOrder: false, replacedOrderId: null });
  });

  it('the buyer\'s cancellation request: on each item that has one, and on the order with every distinct reason', () => {
    const mapped = mapAmazonOrder(
      amazonOrder({
        orderId: '028-0000004-0000004',
        items: [
          { ...item, orderItemId: '1', buyerCancelReason: 'Order created by mistake' },
          { ...item, orderItemId: '2', sku: 'MUG-2' },
          { ...item, orderItemId: '3', sku: 'MUG-3', buyerCancelReason: 'Found a better price' },
        ],
      }),
      DE,
    );
    expect(mapped.buyerCancelRequested).toBe(true);
    expect(mapped.buyerCancelReason).toBe('Order created by mistake; Found a better price');
    expect(mapped.lines.filter((l) => l.orderItemId).map((l) => [l.orderItemId, l.buyerCancelRequested, l.buyerCancelReason])).toEqual([
      ['1', true, 'Order created by mistake'],
      ['2', false, null],
      ['3', true, 'Found a better price'],
    ]);
  });

  it('a cancellation only the seller or Amazon executed is no request of the buyer', () => {
    const order = amazonOrder({ orderId: '028-0000005-0000005', items: [item] });
    order.orderItems[0].cancellation = { cancellationExecution: { cancelledBy: 'MERCHANT', cancelReason: 'NoInventory' } };
    expect(mapAmazonOrder(order, DE)).toMatchObject({ buyerCancelRequested: false, buyerCancelReason: null });
  });

  it('a new cancellation request or a changed ship-by makes a new content (a new version), as any change of Amazon\'s does', () => {
    const base = amazonOrder({ orderId: '028-0000006-0000006', items: [item] });
    const requested = amazonOrder({ orderId: '028-0000006-0000006', items: [{ ...item, buyerCancelReason: 'Order created by mistake' }] });
    requested.lastUpdatedTime = base.lastUpdatedTime;
    requested.createdTime = base.createdTime;
    const { amazonUpdatedAt: _a, ...before } = mapAmazonOrder(base, DE);
    const { amazonUpdatedAt: _b, ...after } = mapAmazonOrder(requested, DE);
    expect(JSON.stringify(after)).not.toEqual(JSON.stringify(before));
  });

  it('a ship-by date that is not a date quarantines the order, with the field named', () => {
    const order = amazonOrder({ orderId: '028-0000007-0000007', shipByWindow: { latestDateTime: 'soon' }, items: [item] });
    expect(() => mapAmazonOrder(order, DE)).toThrow(new MappingError('order has an invalid shipByWindow.latestDateTime'));
  });
});

describe('line amounts', () => {
  it('holds total = amount - discount and total incl. - total excl. = tax, in both conventions', () => {
    for (const taxIncluded of [true, false]) {
      for (const [gross, tax, discount] of [[1999n, 319n, 0n], [1000n, 137n, 333n], [1n, 0n, 1n], [250n, 40n, 0n]]) {
        const a = lineAmounts(gross, tax, discount, 3, taxIncluded);
        const c = (s: string) => BigInt(Math.round(Number(s) * 100));
        expect(c(a.amountTaxIncluded) - c(a.discountTaxIncluded)).toBe(c(a.totalTaxIncluded));
        expect(c(a.amountTaxExcluded) - c(a.discountTaxExcluded)).toBe(c(a.totalTaxExcluded));
        expect(c(a.totalTaxIncluded) - c(a.totalTaxExcluded)).toBe(c(a.taxAmount));
      }
    }
  });
});

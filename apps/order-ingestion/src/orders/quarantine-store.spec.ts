import { rawOrderShown } from './quarantine-store';

describe('rawOrderShown', () => {
  it('leaves out gift messages at any depth and keeps the rest of the order', () => {
    const payload = {
      orderId: '306-1-1',
      currency: 'QQQ',
      recipient: { deliveryAddress: { countryCode: 'DE', postalCode: '10115' } },
      orderItems: [{ orderItemId: '1', packing: { giftOption: { giftMessage: 'Happy birthday, Erika', giftWrapLevel: 'CLASSIC' } } }],
    };
    const shown = rawOrderShown(payload);
    expect(JSON.stringify(shown)).not.toContain('Erika');
    expect(shown).toEqual({ ...payload, orderItems: [{ orderItemId: '1', packing: { giftOption: { giftWrapLevel: 'CLASSIC' } } }] });
  });

  it('is null when no order was kept', () => {
    expect(rawOrderShown(null)).toBeNull();
    expect(rawOrderShown('not an order')).toBeNull();
  });
});

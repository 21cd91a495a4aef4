import { consumerPlan } from './consumer-plan';

describe('consumerPlan: which durable consumers a service reads through', () => {
  it('one consumer per event family, on the single subject when the service handles only one', () => {
    expect(consumerPlan('inventory', 'ns.events.', ['order.synced.v1', 'order.canceled.v1'])).toEqual([
      { name: 'inventory--order_all--packs', filter: 'ns.events.order.>' },
    ]);
    expect(consumerPlan('amazon-notifications', 'ns.events.', ['delivery.validated.v1', 'order.canceled.v1'])).toEqual([
      { name: 'amazon-notifications--delivery_validated_v1--packs', filter: 'ns.events.delivery.validated.v1' },
      { name: 'amazon-notifications--order_canceled_v1--packs', filter: 'ns.events.order.canceled.v1' },
    ]);
  });

  it('a service handling no event reads nothing', () => {
    expect(consumerPlan('gateway', 'ns.events.', [])).toEqual([]);
  });
});

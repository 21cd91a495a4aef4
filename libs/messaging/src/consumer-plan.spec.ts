import { DELIVERY_VALIDATED, ORDER_CANCELED, ORDER_SYNCED } from '@connector/contracts';
import { consumerPlan } from './consumer-plan';

describe('consumerPlan: which durable consumers a service reads through', () => {
  // The expected names and filters are written out: they are what the NATS server keeps.
  it('one consumer per event family, on the single subject when the service handles only one', () => {
    expect(consumerPlan('inventory', 'ns.events.', [ORDER_SYNCED.subject, ORDER_CANCELED.subject])).toEqual([
      { name: 'inventory--order_all--packs', filter: 'ns.events.order.>' },
    ]);
    expect(consumerPlan('amazon-notifications', 'ns.events.', [DELIVERY_VALIDATED.subject, ORDER_CANCELED.subject])).toEqual([
      { name: 'amazon-notifications--delivery_validated_v1--packs', filter: 'ns.events.delivery.validated.v1' },
      { name: 'amazon-notifications--order_canceled_v1--packs', filter: 'ns.events.order.canceled.v1' },
    ]);
  });

  it('a service handling no event reads nothing', () => {
    expect(consumerPlan('gateway', 'ns.events.', [])).toEqual([]);
  });
});

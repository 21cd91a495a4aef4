import { generateBatch, generateOrders, GenerateOrdersInput } from '../generator/order-generator';
import { OrderStore } from './order.store';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const input: GenerateOrdersInput = {
  sellerId: 'A1SELLER',
  count: 20,
  seed: 'store',
  marketplaceIds: ['A1PA6795UKMFR9', 'A13V1IB3VIYZZH'],
  fulfilledBy: 'MERCHANT',
  statuses: ['UNSHIPPED'],
  createdFromMs: NOW - 86_400_000,
  createdToMs: NOW - 600_000,
  nowMs: NOW,
};

describe('OrderStore', () => {
  it('serves generated orders as generated, and keeps only the changes made through edit', () => {
    const store = new OrderStore();
    store.addGenerated('A1SELLER', generateBatch(input));
    const expected = generateOrders(input);
    const [first, second] = expected;

    expect(store.read(first.orderId)).toEqual({ sellerId: 'A1SELLER', order: first });
    expect(store.readForSeller('A2OTHER', first.orderId)).toBeUndefined();
    expect(store.hasForSeller('A1SELLER', first.orderId)).toBe(true);
    expect(store.hasForSeller('A2OTHER', first.orderId)).toBe(false);

    // A read copy is generated afresh: changing it changes nothing.
    store.read(first.orderId)!.order.fulfillment!.fulfillmentStatus = 'SHIPPED';
    expect(store.read(first.orderId)!.order).toEqual(first);

    // An edited order is kept: the change shows in reads and in the search fields.
    const edited = store.editForSeller('A1SELLER', second.orderId)!.order;
    edited.fulfillment!.fulfillmentStatus = 'CANCELLED';
    edited.lastUpdatedTime = '2026-03-01T11:59:00Z';
    expect(store.edit(second.orderId)!.order).toBe(edited);
    expect(store.read(second.orderId)!.order.fulfillment!.fulfillmentStatus).toBe('CANCELLED');
    const listed = store.listForSeller('A1SELLER');
    expect(listed.map((o) => o.orderId)).toEqual(expected.map((o) => o.orderId));
    expect(listed[1]).toMatchObject({ fulfillmentStatus: 'CANCELLED', lastUpdatedTime: '2026-03-01T11:59:00Z', lastUpdatedMs: Date.parse('2026-03-01T11:59:00Z') });
    expect(listed[0]).toMatchObject({ fulfillmentStatus: 'UNSHIPPED', lastUpdatedTime: first.lastUpdatedTime, createdTime: first.createdTime, fulfilledBy: 'MERCHANT' });

    store.deleteForSeller('A1SELLER');
    expect(store.listForSeller('A1SELLER')).toEqual([]);
  });

  it("lists and deletes one seller's orders only, an order id upserted for another seller moving with it", () => {
    const store = new OrderStore();
    const [mine, moved] = generateOrders(input);
    const theirs = generateOrders({ ...input, sellerId: 'A2OTHER', seed: 'other', count: 3 });
    store.addGenerated('A1SELLER', generateBatch(input));
    for (const order of theirs) store.upsert('A2OTHER', order);
    store.upsert('A2OTHER', moved);

    expect(store.listForSeller('A1SELLER').map((o) => o.orderId)).not.toContain(moved.orderId);
    expect(store.listForSeller('A1SELLER')).toHaveLength(input.count - 1);
    expect(store.listForSeller('A2OTHER').map((o) => o.orderId).sort()).toEqual([...theirs.map((o) => o.orderId), moved.orderId].sort());
    expect(store.listForSeller('A3NOBODY')).toEqual([]);

    store.deleteForSeller('A1SELLER');
    expect(store.read(mine.orderId)).toBeUndefined();
    expect(store.listForSeller('A1SELLER')).toEqual([]);
    expect(store.listForSeller('A2OTHER')).toHaveLength(theirs.length + 1);
    expect(store.read(moved.orderId)?.sellerId).toBe('A2OTHER');
  });
});

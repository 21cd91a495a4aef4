import { DeliveryState, DeliveryView, FulfillmentChannel, NotificationKind, NotificationState, NotificationView, SalesOrderStatus, SalesOrderView } from '@connector/contracts';
import { orderTimeline } from './order-timeline';

const order = (overrides: Partial<SalesOrderView> = {}): SalesOrderView =>
  ({
    id: 'order-1',
    amazonOrderId: '405-1234567-1234567',
    channel: FulfillmentChannel.FBM,
    status: SalesOrderStatus.Confirmed,
    amazonStatus: 'Unshipped',
    purchasedAt: '2026-12-01T10:00:00.000Z',
    amazonUpdatedAt: '2026-12-01T10:00:00.000Z',
    createdAt: '2026-12-01T10:05:00.000Z',
    updatedAt: '2026-12-01T10:05:00.400Z',
    canceledBy: null,
    cancelReason: null,
    ...overrides,
  }) as SalesOrderView;

const delivery = (overrides: Partial<DeliveryView> = {}): DeliveryView =>
  ({
    id: 'delivery-1',
    state: DeliveryState.Ready,
    backorderOfId: null,
    heldAt: null,
    holdReleasedAt: null,
    shippedOutsideAt: null,
    carrierCode: null,
    carrierName: null,
    trackingNumber: null,
    shipDate: null,
    moves: [],
    createdAt: '2026-12-01T10:05:01.000Z',
    ...overrides,
  }) as DeliveryView;

const notification = (overrides: Partial<NotificationView> = {}): NotificationView =>
  ({
    id: 'notification-1',
    kind: NotificationKind.ShipmentConfirmation,
    state: NotificationState.Pending,
    deliveryId: 'delivery-1',
    cancellationId: null,
    feedId: null,
    feedSubmittedAt: null,
    lastError: null,
    sentAt: null,
    decidedAt: null,
    createdAt: '2026-12-02T08:00:01.000Z',
    ...overrides,
  }) as NotificationView;

const kinds = (events: { kind: string }[]) => events.map((e) => e.kind);

describe('orderTimeline', () => {
  it('a new order: bought, synced; its own write within a second of creation is not an update', () => {
    expect(kinds(orderTimeline(order(), [], []))).toEqual(['purchased', 'created']);
  });

  it('an FBM order through its shipment, oldest first, each event naming its delivery or notification', () => {
    const shipped = delivery({
      state: DeliveryState.Done,
      carrierCode: 'DHL',
      trackingNumber: 'TRACK-1',
      moves: [{ doneAt: '2026-12-02T08:00:00.000Z' }, { doneAt: '2026-12-02T07:59:59.000Z' }] as DeliveryView['moves'],
    });
    const sent = notification({ state: NotificationState.Sent, sentAt: '2026-12-02T08:00:03.000Z', decidedAt: '2026-12-02T08:00:03.000Z' });
    const events = orderTimeline(order({ status: SalesOrderStatus.Shipped, updatedAt: '2026-12-02T08:00:04.000Z' }), [shipped], [sent]);
    expect(kinds(events)).toEqual(['purchased', 'created', 'delivery_created', 'shipped', 'confirmation_queued', 'confirmation_sent', 'updated']);
    expect(events.find((e) => e.kind === 'shipped')).toEqual({
      at: '2026-12-02T08:00:00.000Z',
      kind: 'shipped',
      summary: 'Shipped with DHL, tracking TRACK-1',
      deliveryId: 'delivery-1',
      notificationId: null,
    });
    expect(events.find((e) => e.kind === 'confirmation_sent')).toMatchObject({ notificationId: 'notification-1', deliveryId: 'delivery-1' });
  });

  it('a done delivery without a move time shows no shipped event: its ship date is the seller\'s choice, not a time recorded', () => {
    const backdated = delivery({ state: DeliveryState.Done, shipDate: '2026-11-20T00:00:00.000Z', moves: [{ doneAt: null }] as DeliveryView['moves'] });
    const events = orderTimeline(order(), [backdated, delivery({ id: 'delivery-2', state: DeliveryState.Done, shipDate: '2026-12-03T00:00:00.000Z' })], []);
    expect(kinds(events)).toEqual(['purchased', 'created', 'delivery_created', 'delivery_created']);
  });

  it("a failed confirmation at its decision, with Amazon's error; one decided before decidedAt existed at its last known time", () => {
    const failed = notification({ state: NotificationState.Failed, decidedAt: '2026-12-02T09:00:00.000Z', lastError: 'confirmShipment: 400 InvalidInput' });
    expect(orderTimeline(order(), [], [failed]).find((e) => e.kind === 'confirmation_failed')).toMatchObject({
      at: '2026-12-02T09:00:00.000Z',
      summary: 'Shipment confirmation failed: confirmShipment: 400 InvalidInput',
    });
    const older = notification({ state: NotificationState.Failed, decidedAt: null });
    expect(orderTimeline(order(), [], [older]).find((e) => e.kind === 'confirmation_failed')?.at).toBe(older.createdAt);
  });

  it("a seller's cancellation: when it was told to Amazon, its feed and its outcome; Amazon's at Amazon's last change", () => {
    const told = notification({
      kind: NotificationKind.Cancellation,
      deliveryId: null,
      state: NotificationState.Sent,
      createdAt: '2026-12-01T12:00:00.000Z',
      feedId: 'FEED-1',
      feedSubmittedAt: '2026-12-01T12:00:30.000Z',
      sentAt: '2026-12-01T12:05:00.000Z',
    });
    const bySeller = orderTimeline(order({ status: SalesOrderStatus.Canceled, canceledBy: 'seller', cancelReason: 'NoInventory' }), [], [told]);
    expect(kinds(bySeller)).toEqual(['purchased', 'created', 'cancelled', 'cancellation_queued', 'cancellation_feed_submitted', 'cancellation_sent']);
    expect(bySeller.find((e) => e.kind === 'cancelled')).toMatchObject({ at: told.createdAt, summary: 'Cancelled by the seller (NoInventory)' });
    expect(bySeller.find((e) => e.kind === 'cancellation_feed_submitted')?.summary).toBe('Cancellation sent in Amazon feed FEED-1');

    const byAmazon = orderTimeline(order({ status: SalesOrderStatus.Canceled, canceledBy: 'amazon', amazonStatus: 'Canceled', amazonUpdatedAt: '2026-12-01T11:00:00.000Z' }), [], []);
    expect(byAmazon.filter((e) => e.at === '2026-12-01T11:00:00.000Z').map((e) => e.kind)).toEqual(['changed_at_amazon', 'cancelled']);
  });

  it('a held delivery and its release, a backorder, and a delivery shipped outside the connector', () => {
    const events = orderTimeline(
      order(),
      [
        delivery({ heldAt: '2026-12-01T11:00:00.000Z', holdReleasedAt: '2026-12-01T12:00:00.000Z', state: DeliveryState.Done, shippedOutsideAt: '2026-12-01T13:00:00.000Z' }),
        delivery({ id: 'delivery-2', backorderOfId: 'delivery-1', createdAt: '2026-12-01T14:00:00.000Z' }),
      ],
      [],
    );
    expect(kinds(events)).toEqual(['purchased', 'created', 'delivery_created', 'delivery_held', 'delivery_released', 'shipped_outside', 'delivery_created']);
    expect(events[events.length - 1]).toMatchObject({ deliveryId: 'delivery-2', summary: 'Backorder made for the units left to ship' });
  });

  it('parts whose service did not answer add nothing', () => {
    expect(kinds(orderTimeline(order(), null, null))).toEqual(['purchased', 'created']);
  });
});

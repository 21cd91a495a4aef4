import { useState } from 'react';
import { api, ok, type Delivery, type Notification, type OrderDetails, type OrderTimeline } from '../api/client';
import { usePolling } from '../live';
import { useAllowed } from '../caller';
import { Link } from '../router';
import { Badge, dateTime, ErrorNotice, PageHeader, Table, Updated } from '../ui';
import { ValidateDelivery, Validated } from './ValidateDelivery';

/** One order: its facts, lines and totals, its deliveries (validated here) and what Amazon was told. Read again while open. */
export function OrderDetail({ id }: { id: string }) {
  const live = usePolling((signal) => ok(api.GET('/api/v1/orders/{id}', { params: { path: { id } }, signal })), [id]);
  const timeline = usePolling((signal) => ok(api.GET('/api/v1/orders/{id}/timeline', { params: { path: { id } }, signal })), [id]);
  const order = live.data;
  return (
    <>
      <PageHeader title={order ? `Order ${order.amazonOrderId}` : 'Order'}>
        <Updated at={live.updatedAt} loading={live.loading} />
        <Link to="/orders">All orders</Link>
      </PageHeader>
      <ErrorNotice error={live.error} action="Cannot read the order" />
      {order && (
        <Details
          order={order}
          reload={() => {
            live.reload();
            timeline.reload();
          }}
        />
      )}
      {order && timeline.data && <Timeline timeline={timeline.data} />}
    </>
  );
}

function Details({ order, reload }: { order: OrderDetails; reload: () => void }) {
  const deliveries = Array.isArray(order.deliveries) ? order.deliveries : [];
  const notifications = Array.isArray(order.notifications) ? order.notifications : [];
  return (
    <>
      <div className="card">
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <Badge value={order.status} /> <span className="muted">Amazon: {order.amazonStatus}</span>
          </dd>
          <dt>Channel</dt>
          <dd>{order.channel === 'FBM' ? 'FBM (the seller ships)' : 'FBA (Amazon ships)'}</dd>
          <dt>Marketplace</dt>
          <dd>{order.marketplaceId}</dd>
          <dt>Purchased</dt>
          <dd>{dateTime(order.purchasedAt)}</dd>
          <dt>Ship by</dt>
          <dd>{dateTime(order.latestShipDate)}</dd>
          <dt>Total</dt>
          <dd>
            {order.linesTotal} {order.currency}
            {order.amazonTotal !== null && (
              <span className="muted">
                {' '}
                (Amazon: {order.amazonTotal} {order.currency}, {order.reconciled ? 'reconciled' : 'does not match the lines'})
              </span>
            )}
          </dd>
          {order.giftMessage && (
            <>
              <dt>Gift message</dt>
              <dd>{order.giftMessage}</dd>
            </>
          )}
          {order.buyerCancelRequested && (
            <>
              <dt>Buyer asked to cancel</dt>
              <dd>{order.buyerCancelReason ?? 'yes'}</dd>
            </>
          )}
        </dl>
      </div>

      <h2>Lines</h2>
      <Table caption="Order lines">
        <thead>
          <tr>
            <th>Kind</th>
            <th>SKU</th>
            <th>Name</th>
            <th className="number">Quantity</th>
            <th className="number">Shipped</th>
            <th className="number">Cancelled</th>
            <th className="number">Unit price</th>
            <th className="number">Tax</th>
            <th className="number">Total</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr key={line.id}>
              <td>{line.kind.replace('_', ' ')}</td>
              <td>{line.sku ?? '—'}</td>
              <td className="wrap">{line.name}</td>
              <td className="number">{line.quantity}</td>
              <td className="number">{line.quantityShipped}</td>
              <td className="number">{line.quantityCancelled}</td>
              <td className="number">{line.unitPriceTaxIncluded}</td>
              <td className="number">{line.taxAmount}</td>
              <td className="number">{line.totalTaxIncluded}</td>
            </tr>
          ))}
        </tbody>
      </Table>

      <h2>Deliveries</h2>
      {order.deliveries === 'unavailable' && <p className="muted">Inventory does not answer now; its deliveries show when it is back.</p>}
      {Array.isArray(order.deliveries) && deliveries.length === 0 && <p className="muted">{order.channel === 'FBA' ? 'Amazon ships FBA orders.' : 'No delivery yet: inventory makes it from the order within seconds.'}</p>}
      {deliveries.map((delivery) => (
        <DeliveryCard key={delivery.id} delivery={delivery} onValidated={reload} />
      ))}

      <h2>Told to Amazon</h2>
      {order.notifications === 'unavailable' ? (
        <p className="muted">The notifications service does not answer now.</p>
      ) : notifications.length === 0 ? (
        <p className="muted">Nothing sent to Amazon for this order yet.</p>
      ) : (
        <Notifications items={notifications} />
      )}
    </>
  );
}

function Timeline({ timeline }: { timeline: OrderTimeline }) {
  return (
    <>
      <h2>Timeline</h2>
      {timeline.incomplete.length > 0 && <p className="muted">Without the events of {timeline.incomplete.join(' and ')}: that service does not answer now.</p>}
      <ol className="timeline" aria-label="Events of the order, oldest first">
        {timeline.events.map((event, i) => (
          <li key={`${event.kind}-${event.at}-${i}`}>
            <time dateTime={event.at}>{dateTime(event.at)}</time> <span>{event.summary}</span>
          </li>
        ))}
      </ol>
    </>
  );
}

export function DeliveryCard({ delivery, onValidated }: { delivery: Delivery; onValidated: (delivery: Delivery) => void }) {
  const [validated, setValidated] = useState<Delivery | undefined>();
  const { may } = useAllowed();
  return (
    <section className="card" aria-label={`Delivery ${delivery.id}`}>
      <dl className="facts">
        <dt>Delivery</dt>
        <dd>
          <Badge value={delivery.state} /> {delivery.onHold && <Badge value="on hold" />} <span className="muted">{delivery.id}</span>
        </dd>
        <dt>Ship by</dt>
        <dd>{dateTime(delivery.latestShipDate)}</dd>
        {delivery.trackingNumber && (
          <>
            <dt>Shipped with</dt>
            <dd>
              {delivery.carrierName ?? delivery.carrierCode} {delivery.trackingNumber} <span className="muted">{dateTime(delivery.shipDate)}</span>
            </dd>
          </>
        )}
        <dt>Items</dt>
        <dd>{delivery.moves.map((move) => `${move.quantity} × ${move.orderItemId ?? move.productId}`).join(', ') || '—'}</dd>
        {delivery.onHold && (
          <>
            <dt>Held</dt>
            <dd>{delivery.holdReason}</dd>
          </>
        )}
      </dl>
      <Validated delivery={validated} />
      {delivery.state === 'ready' && !delivery.onHold && !validated && may('operate') && (
        <ValidateDelivery
          delivery={delivery}
          onValidated={(done) => {
            setValidated(done);
            onValidated(done);
          }}
        />
      )}
    </section>
  );
}

export function Notifications({ items }: { items: Notification[] }) {
  return (
    <Table caption="Notifications to Amazon">
      <thead>
        <tr>
          <th>What</th>
          <th>State</th>
          <th className="number">Attempts</th>
          <th>Sent</th>
          <th>Last error</th>
        </tr>
      </thead>
      <tbody>
        {items.map((n) => (
          <tr key={n.id}>
            <td>{n.kind.replace(/_/g, ' ')}</td>
            <td>
              <Badge value={n.state} />
            </td>
            <td className="number">{n.attempts}</td>
            <td>{dateTime(n.sentAt)}</td>
            <td className="wrap">{n.lastError ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

import { useState } from 'react';
import { api, ok, type Delivery, type Schemas } from '../api/client';
import { POLL_SECONDS, usePolling } from '../live';
import { useAllowed } from '../caller';
import { Link } from '../router';
import { ActionsHeader, Badge, Button, dateTime, ErrorNotice, PageHeader, Select, Table, Updated } from '../ui';
import { ValidateDelivery, Validated } from './ValidateDelivery';

type ConfirmationState = Schemas['NotificationView']['state'];

/** Deliveries to ship, the most urgent first, each validated in place; and the confirmations to Amazon. */
export function Deliveries() {
  const ready = usePolling((signal) => ok(api.GET('/api/v1/deliveries', { params: { query: { state: 'ready', sort: 'shipBy', limit: 100 } }, signal })), []);
  const [open, setOpen] = useState<string | undefined>();
  const [validated, setValidated] = useState<Delivery | undefined>();
  const [state, setState] = useState<ConfirmationState>('pending');
  const confirmations = usePolling((signal) => ok(api.GET('/api/v1/notifications', { params: { query: { kind: 'shipment_confirmation', state, limit: 100 } }, signal })), [state]);
  const { may } = useAllowed();
  const now = Date.now();

  return (
    <>
      <PageHeader title="Deliveries to ship">
        <Updated at={ready.updatedAt} loading={ready.loading} />
      </PageHeader>
      <ErrorNotice error={ready.error} action="Cannot read the deliveries" />
      <Validated delivery={validated} />
      {ready.data && ready.data.items.length === 0 && <p className="muted">Nothing waits to ship. Read again every {POLL_SECONDS} s.</p>}
      {ready.data && ready.data.items.length > 0 && (
        <Table caption="Deliveries ready to ship">
          <thead>
            <tr>
              <th>Amazon order</th>
              <th>Ship by</th>
              <th>Items</th>
              <th>Hold</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {ready.data.items.map((delivery) => (
              <tr key={delivery.id}>
                <td>
                  <Link to={`/orders/${delivery.orderId}`}>{delivery.amazonOrderId}</Link> {delivery.isPrime && <Badge value="prime" />}
                </td>
                <td>
                  {dateTime(delivery.latestShipDate)} {delivery.latestShipDate && Date.parse(delivery.latestShipDate) < now && <Badge value="overdue" />}
                </td>
                <td>{delivery.moves.reduce((sum, move) => sum + move.quantity, 0)}</td>
                <td>{delivery.onHold ? <Badge value="on hold" /> : ''}</td>
                <td className="wrap">
                  {delivery.onHold ? (
                    <span className="muted">{delivery.holdReason}</span>
                  ) : open === delivery.id ? (
                    <ValidateDelivery
                      delivery={delivery}
                      onValidated={(done) => {
                        setValidated(done);
                        ready.reload();
                        confirmations.reload();
                      }}
                    />
                  ) : (
                    may('operate') && (
                      <Button variant="secondary" onClick={() => setOpen(delivery.id)} aria-label={`Validate the delivery of ${delivery.amazonOrderId}`}>
                        Validate…
                      </Button>
                    )
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}

      <h2>Shipment confirmations to Amazon</h2>
      <div className="form-row">
        <Select
          label="State"
          value={state}
          onChange={(e) => setState(e.target.value as ConfirmationState)}
          options={[
            { value: 'pending', label: 'Pending' },
            { value: 'failed', label: 'Failed' },
            { value: 'sent', label: 'Sent' },
          ]}
        />
        <Updated at={confirmations.updatedAt} loading={confirmations.loading} />
      </div>
      <ErrorNotice error={confirmations.error} action="Cannot read the confirmations" />
      {confirmations.data && confirmations.data.items.length === 0 && <p className="muted">None {state}.</p>}
      {confirmations.data && confirmations.data.items.length > 0 && (
        <Table caption={`Shipment confirmations ${state}`}>
          <thead>
            <tr>
              <th>Amazon order</th>
              <th>State</th>
              <th className="number">Attempts</th>
              <th>Created</th>
              <th>Sent</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {confirmations.data.items.map((n) => (
              <tr key={n.id}>
                <td>{n.orderId ? <Link to={`/orders/${n.orderId}`}>{n.amazonOrderId}</Link> : n.amazonOrderId}</td>
                <td>
                  <Badge value={n.state} />
                </td>
                <td className="number">{n.attempts}</td>
                <td>{dateTime(n.createdAt)}</td>
                <td>{dateTime(n.sentAt)}</td>
                <td className="wrap">{n.lastError ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}

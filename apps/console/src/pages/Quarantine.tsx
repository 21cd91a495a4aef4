import { useState } from 'react';
import { api, ApiError, ok, type QuarantinedOrder } from '../api/client';
import { POLL_SECONDS, usePolling } from '../live';
import { useAllowed } from '../caller';
import { Link } from '../router';
import { ActionsHeader, Button, dateTime, ErrorNotice, PageHeader, Status, Table, Updated } from '../ui';

/**
 * Orders that could not become sales orders, with the reason and Amazon's order (without personal
 * data). Retry fetches the order from Amazon again now and stores it (POST
 * /accounts/{id}/orders/{amazonOrderId}/sync); still broken, it stays. The API has no discard.
 */
export function Quarantine() {
  const live = usePolling((signal) => ok(api.GET('/api/v1/orders/quarantined', { params: { query: { limit: 100 } }, signal })), []);
  const { may } = useAllowed();
  const [busy, setBusy] = useState<string | undefined>();
  const [open, setOpen] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<{ amazonOrderId: string; orderId?: string; error?: ApiError } | undefined>();

  const retry = async (q: QuarantinedOrder) => {
    setBusy(q.id);
    setOutcome(undefined);
    try {
      const order = await ok(api.POST('/api/v1/accounts/{id}/orders/{amazonOrderId}/sync', { params: { path: { id: q.accountId, amazonOrderId: q.amazonOrderId } } }));
      setOutcome({ amazonOrderId: q.amazonOrderId, orderId: order.id });
      live.reload();
    } catch (err) {
      setOutcome({ amazonOrderId: q.amazonOrderId, error: err as ApiError });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <PageHeader title="Quarantine">
        <Updated at={live.updatedAt} loading={live.loading} />
      </PageHeader>
      <ErrorNotice error={live.error} action="Cannot read the quarantine" />
      {outcome?.error && <ErrorNotice error={outcome.error} action={`Order ${outcome.amazonOrderId} not stored`} />}
      <Status tone="success">
        {outcome?.orderId && (
          <>
            Order {outcome.amazonOrderId} stored: <Link to={`/orders/${outcome.orderId}`}>open it</Link>.
          </>
        )}
      </Status>
      {live.data && live.data.items.length === 0 && <p className="muted">Nothing is quarantined. Read again every {POLL_SECONDS} s.</p>}
      {live.data && live.data.items.length > 0 && (
        <Table caption="Quarantined orders">
          <thead>
            <tr>
              <th>Amazon order</th>
              <th>Reason</th>
              <th className="number">Attempts</th>
              <th>First seen</th>
              <th>Last attempt</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {live.data.items.map((q) => (
              <tr key={q.id}>
                <td>{q.amazonOrderId}</td>
                <td className="wrap">
                  {q.reason}
                  {q.lastRetryError && <div className="muted">Last retry: {q.lastRetryError}</div>}
                  {open === q.id &&
                    (q.rawOrder ? (
                      <pre className="raw" aria-label={`Order ${q.amazonOrderId} as Amazon gave it`}>
                        {JSON.stringify(q.rawOrder, null, 2)}
                      </pre>
                    ) : (
                      <p className="muted">Amazon's order was not kept when it was quarantined.</p>
                    ))}
                </td>
                <td className="number">{q.attempts}</td>
                <td>{dateTime(q.firstSeenAt)}</td>
                <td>{dateTime(q.lastAttemptAt)}</td>
                <td>
                  <div className="actions">
                    {may('operate') && (
                      <Button variant="secondary" busy={busy === q.id} onClick={() => void retry(q)} aria-label={`Retry order ${q.amazonOrderId}`}>
                        Retry
                      </Button>
                    )}
                    <Button variant="quiet" aria-expanded={open === q.id} onClick={() => setOpen(open === q.id ? undefined : q.id)} aria-label={`Show order ${q.amazonOrderId} as Amazon gave it`}>
                      {open === q.id ? 'Hide order' : 'Show order'}
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}

import { useState } from 'react';
import { api, ApiError, ok, type Notification, type Schemas } from '../api/client';
import { POLL_SECONDS, usePolling } from '../live';
import { useAllowed } from '../caller';
import { Link } from '../router';
import { ActionsHeader, Badge, Button, dateTime, ErrorNotice, PageHeader, Select, Status, Table, Updated } from '../ui';

type State = Schemas['NotificationView']['state'];
type Kind = Schemas['NotificationView']['kind'];

const KINDS: { value: Kind | ''; label: string }[] = [
  { value: '', label: 'Every kind' },
  { value: 'shipment_confirmation', label: 'Shipment confirmations' },
  { value: 'cancellation', label: 'Cancellations' },
  { value: 'unit_cancellation', label: 'Unit cancellations' },
];

/**
 * What the connector told Amazon (shipments, cancellations) and in which state; a failed one is
 * sent again one by one or all at once (POST /notifications/{id}/retry, /notifications/retry).
 */
export function Notifications() {
  const [state, setState] = useState<State | ''>('failed');
  const [kind, setKind] = useState<Kind | ''>('');
  const live = usePolling((signal) => ok(api.GET('/api/v1/notifications', { params: { query: { state: state || undefined, kind: kind || undefined, limit: 100 } }, signal })), [state, kind]);
  const [busy, setBusy] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<{ text: string } | { action: string; error: ApiError } | undefined>();

  const act = async (key: string, action: string, call: () => Promise<string>) => {
    setBusy(key);
    setOutcome(undefined);
    try {
      setOutcome({ text: await call() });
      live.reload();
    } catch (err) {
      setOutcome({ action, error: err as ApiError });
    } finally {
      setBusy(undefined);
    }
  };
  const retry = (n: Notification) =>
    act(n.id, `Notification of ${n.amazonOrderId} not retried`, async () => {
      await ok(api.POST('/api/v1/notifications/{id}/retry', { params: { path: { id: n.id } } }));
      return `The ${label(n.kind)} of ${n.amazonOrderId} is pending again: it is sent within seconds.`;
    });
  const retryAll = () =>
    act('all', 'Failed notifications not retried', async () => {
      const result = await ok(api.POST('/api/v1/notifications/retry', { body: kind ? { kind } : {} }));
      return `${result.retried} failed notification${result.retried === 1 ? ' is' : 's are'} pending again.`;
    });

  const { may } = useAllowed();
  const failedShown = may('operate') && (live.data?.items ?? []).some((n) => n.state === 'failed');
  return (
    <>
      <PageHeader title="Notifications to Amazon">
        <Updated at={live.updatedAt} loading={live.loading} />
        {failedShown && (
          <Button variant="secondary" busy={busy === 'all'} onClick={() => void retryAll()}>
            Retry every failed one
          </Button>
        )}
      </PageHeader>
      <div className="form-row">
        <Select
          label="State"
          value={state}
          onChange={(e) => setState(e.target.value as State | '')}
          options={[
            { value: 'failed', label: 'Failed' },
            { value: 'pending', label: 'Pending' },
            { value: 'sent', label: 'Sent' },
            { value: '', label: 'Any state' },
          ]}
        />
        <Select label="Kind" value={kind} onChange={(e) => setKind(e.target.value as Kind | '')} options={KINDS} />
      </div>
      <ErrorNotice error={live.error} action="Cannot read the notifications" />
      {outcome && 'error' in outcome && <ErrorNotice error={outcome.error} action={outcome.action} />}
      <Status tone="success">{outcome && 'text' in outcome && outcome.text}</Status>
      {live.data && live.data.items.length === 0 && (
        <p className="muted">
          None {state || 'at all'}. Read again every {POLL_SECONDS} s.
        </p>
      )}
      {live.data && live.data.items.length > 0 && (
        <Table caption="Notifications to Amazon">
          <thead>
            <tr>
              <th>Amazon order</th>
              <th>Kind</th>
              <th>State</th>
              <th className="number">Attempts</th>
              <th>Created</th>
              <th>Sent or next try</th>
              <th>Last error</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {live.data.items.map((n) => (
              <tr key={n.id}>
                <td>{n.orderId ? <Link to={`/orders/${n.orderId}`}>{n.amazonOrderId}</Link> : n.amazonOrderId}</td>
                <td>{label(n.kind)}</td>
                <td>
                  <Badge value={n.state} />
                  {n.retryingSince && <div className="muted">Amazon unreachable since {dateTime(n.retryingSince)}</div>}
                </td>
                <td className="number">{n.attempts}</td>
                <td>{dateTime(n.createdAt)}</td>
                <td>{n.state === 'sent' ? dateTime(n.sentAt) : n.state === 'pending' ? dateTime(n.nextAttemptAt) : '—'}</td>
                <td className="wrap">{n.lastError ?? ''}</td>
                <td>
                  {n.state === 'failed' && may('operate') && (
                    <Button variant="secondary" busy={busy === n.id} onClick={() => void retry(n)} aria-label={`Retry the ${label(n.kind)} of ${n.amazonOrderId}`}>
                      Retry
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}

const label = (kind: Kind) => kind.replace(/_/g, ' ');

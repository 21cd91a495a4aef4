import { useState } from 'react';
import { api, ApiError, ok, type ParkedEvent, type Schemas } from '../api/client';
import type { paths } from '../api/schema';
import { useAllowed } from '../caller';
import { POLL_SECONDS, usePolling } from '../live';
import { ActionsHeader, Badge, Button, dateTime, ErrorNotice, PageHeader, Select, Status, Table, Updated } from '../ui';

type Service = NonNullable<paths['/api/v1/parked-events']['get']['parameters']['query']>['service'];
type State = NonNullable<paths['/api/v1/parked-events']['get']['parameters']['query']>['state'];
const SERVICES: Service[] = ['order-ingestion', 'partner-resolution', 'inventory', 'amazon-notifications'];

/**
 * Events a service could not handle and set aside, per service: read one (its payload, unless it
 * could hold buyers' personal data), replay it (handled again as if new) or discard it.
 */
export function ParkedEvents() {
  const [service, setService] = useState<Service>('order-ingestion');
  const [state, setState] = useState<State>('parked');
  const live = usePolling((signal) => ok(api.GET('/api/v1/parked-events', { params: { query: { service, state, limit: 100 } }, signal })), [service, state]);
  const { may } = useAllowed();
  const [open, setOpen] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<{ text: string } | { action: string; error: ApiError } | undefined>();

  const act = async (event: ParkedEvent, what: 'replay' | 'discard') => {
    setBusy(`${what}-${event.eventId}`);
    setOutcome(undefined);
    const path = { service: event.service as Service, eventId: event.eventId };
    try {
      if (what === 'replay') await ok(api.POST('/api/v1/parked-events/{service}/{eventId}/replay', { params: { path } }));
      else await ok(api.POST('/api/v1/parked-events/{service}/{eventId}/discard', { params: { path } }));
      setOutcome({ text: what === 'replay' ? `Event ${event.eventId} handled again: no longer parked.` : `Event ${event.eventId} discarded: kept, no longer waiting.` });
      live.reload();
    } catch (err) {
      setOutcome({ action: `Event ${event.eventId} not ${what === 'replay' ? 'replayed' : 'discarded'}`, error: err as ApiError });
      live.reload();
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <PageHeader title="Parked events">
        <Updated at={live.updatedAt} loading={live.loading} />
      </PageHeader>
      <div className="form-row">
        <Select label="Service" value={service} onChange={(e) => setService(e.target.value as Service)} options={SERVICES.map((s) => ({ value: s, label: s }))} />
        <Select
          label="State"
          value={state}
          onChange={(e) => setState(e.target.value as State)}
          options={[
            { value: 'parked', label: 'Parked (waiting)' },
            { value: 'discarded', label: 'Discarded' },
          ]}
        />
      </div>
      <ErrorNotice error={live.error} action="Cannot read the parked events" />
      {outcome && 'error' in outcome && <ErrorNotice error={outcome.error} action={outcome.action} />}
      <Status tone="success">{outcome && 'text' in outcome && outcome.text}</Status>
      {live.data && live.data.items.length === 0 && (
        <p className="muted">
          {service} has none {state}. Read again every {POLL_SECONDS} s.
        </p>
      )}
      {live.data && live.data.items.length > 0 && (
        <Table caption={`Events ${state} by ${service}`}>
          <thead>
            <tr>
              <th>Event</th>
              <th>Subject</th>
              <th>Why</th>
              <th className="number">Deliveries</th>
              <th>Parked</th>
              <ActionsHeader label="Actions" />
            </tr>
          </thead>
          <tbody>
            {live.data.items.map((event) => (
              <tr key={event.eventId}>
                <td>
                  <code>{event.eventId}</code>
                  {event.discardedAt && (
                    <div>
                      <Badge value="discarded" /> <span className="muted">{dateTime(event.discardedAt)}</span>
                    </div>
                  )}
                </td>
                <td>{event.subject}</td>
                <td className="wrap">
                  {event.reason}
                  {open === event.eventId && <EventPayload service={service} eventId={event.eventId} />}
                </td>
                <td className="number">{event.deliveries}</td>
                <td>{dateTime(event.parkedAt)}</td>
                <td>
                  <div className="actions">
                    <Button variant="quiet" aria-expanded={open === event.eventId} onClick={() => setOpen(open === event.eventId ? undefined : event.eventId)} aria-label={`Show event ${event.eventId}`}>
                      {open === event.eventId ? 'Hide' : 'Show'}
                    </Button>
                    {!event.discardedAt && may('operate') && (
                      <>
                        <Button variant="secondary" busy={busy === `replay-${event.eventId}`} onClick={() => void act(event, 'replay')} aria-label={`Replay event ${event.eventId}`}>
                          Replay
                        </Button>
                        <Button variant="secondary" busy={busy === `discard-${event.eventId}`} onClick={() => void act(event, 'discard')} aria-label={`Discard event ${event.eventId}`}>
                          Discard
                        </Button>
                      </>
                    )}
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

/** One event as it came, read when opened (not polled: it does not change). */
function EventPayload({ service, eventId }: { service: Service; eventId: string }) {
  const live = usePolling((signal) => ok(api.GET('/api/v1/parked-events/{service}/{eventId}', { params: { path: { service, eventId } }, signal })), [service, eventId], 3600);
  const detail: Schemas['ParkedEventDetailView'] | undefined = live.data;
  return (
    <>
      <ErrorNotice error={live.error} action="Cannot read the event" />
      {detail &&
        (detail.payloadRedacted || detail.payload === null ? (
          <p className="muted">Its payload is withheld: events of {detail.subject} carry buyers' personal data.</p>
        ) : (
          <pre className="raw" aria-label={`Payload of event ${eventId}`}>
            {pretty(detail.payload)}
          </pre>
        ))}
    </>
  );
}

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

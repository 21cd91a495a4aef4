import type { ReactNode } from 'react';
import { api, ApiError, counted, ok, type Account, type Counted } from '../api/client';
import { POLL_SECONDS, usePolling } from '../live';
import { Link } from '../router';
import { Badge, dateTime, ErrorNotice, PageHeader, Status, Table, Updated } from '../ui';

interface Overview {
  readiness: { status: string; services: Record<string, { status: string; message?: string }> };
  accounts: Account[];
  quarantined: Counted;
  waiting: Counted;
  overdue: number;
  pending: Counted;
  failed: Counted;
  /** 'not visible' to a key limited to some accounts (403); the error when they could not be read. */
  parked: Counted | 'not visible' | ApiError;
}

const SERVICES_THAT_PARK = ['order-ingestion', 'partner-resolution', 'inventory', 'amazon-notifications'] as const;

/** Events a service could not handle and set aside (each service parks what it consumes). */
async function parkedEvents(signal: AbortSignal): Promise<Overview['parked']> {
  try {
    const pages = await Promise.all(SERVICES_THAT_PARK.map((service) => ok(api.GET('/api/v1/parked-events', { params: { query: { service, state: 'parked', limit: COUNT_UP_TO } }, signal }))));
    return { count: pages.reduce((sum, page) => sum + page.items.length, 0), more: pages.some((page) => Boolean(page.nextCursor)) };
  } catch (err) {
    // Only a 403 means "not for this key"; a service down (503), the rate limit (429) or no answer is a worry.
    if (err instanceof ApiError && err.status === 403) return 'not visible';
    return err instanceof ApiError ? err : new ApiError(0, 'Error', (err as Error).message);
  }
}

const COUNT_UP_TO = 500;
const shown = (c: Counted) => `${c.count}${c.more ? '+' : ''}`;

async function readOverview(signal: AbortSignal): Promise<Overview> {
  const [ready, accounts, quarantined, waiting, pending, failed, parked] = await Promise.all([
    // 503 still carries the readiness report: read it either way.
    api.GET('/health/ready', { signal }),
    ok(api.GET('/api/v1/accounts', { params: { query: { limit: 100 } }, signal })),
    ok(api.GET('/api/v1/orders/quarantined', { params: { query: { limit: COUNT_UP_TO } }, signal })),
    ok(api.GET('/api/v1/deliveries', { params: { query: { state: 'ready', limit: COUNT_UP_TO, sort: 'shipBy' } }, signal })),
    ok(api.GET('/api/v1/notifications', { params: { query: { state: 'pending', kind: 'shipment_confirmation', limit: COUNT_UP_TO } }, signal })),
    ok(api.GET('/api/v1/notifications', { params: { query: { state: 'failed', limit: COUNT_UP_TO } }, signal })),
    parkedEvents(signal),
  ]);
  const report = (ready.data ?? ready.error) as Overview['readiness'] | undefined;
  const now = Date.now();
  return {
    readiness: { status: report?.status ?? `unknown (${ready.response.status})`, services: report?.services ?? {} },
    accounts: accounts.items,
    quarantined: counted(quarantined),
    waiting: counted(waiting),
    overdue: waiting.items.filter((d) => d.latestShipDate && Date.parse(d.latestShipDate) < now).length,
    pending: counted(pending),
    failed: counted(failed),
    parked,
  };
}

/** "Is everything all right?": readiness, accounts and their last sync, and what waits for someone. */
export function Home() {
  const live = usePolling(readOverview, []);
  const o = live.data;
  const worries = o
    ? [
        o.readiness.status !== 'ok' && `readiness is ${o.readiness.status}`,
        o.quarantined.count > 0 && `${shown(o.quarantined)} quarantined`,
        o.failed.count > 0 && `${shown(o.failed)} notifications to Amazon failed`,
        o.overdue > 0 && `${o.overdue} deliveries past their ship-by date`,
        o.parked instanceof ApiError && `parked events cannot be read (${o.parked.detail})`,
        typeof o.parked === 'object' && !(o.parked instanceof ApiError) && o.parked.count > 0 && `${shown(o.parked)} events parked`,
      ].filter((w): w is string => Boolean(w))
    : [];
  return (
    <>
      <PageHeader title="Is everything all right?">
        <Updated at={live.updatedAt} loading={live.loading} />
      </PageHeader>
      <ErrorNotice error={live.error} action="Cannot read the overview" />
      {/* Mounted before its words, so that screen readers announce them when they come or change. */}
      <Status tone={worries.length ? 'warning' : 'success'}>{o && (worries.length ? `Needs attention: ${worries.join(', ')}.` : 'Everything is all right.')}</Status>
      {o && (
        <>
          <div className="cards">
            <Card label="Readiness" value={<Badge value={o.readiness.status} />} />
            <Card label="Quarantined orders" value={shown(o.quarantined)} to="/quarantine" />
            <Card label="Deliveries waiting" value={shown(o.waiting)} to="/deliveries" note={o.overdue ? `${o.overdue} past ship-by` : undefined} />
            <Card label="Confirmations pending" value={shown(o.pending)} to="/deliveries" />
            <Card label="Notifications failed" value={shown(o.failed)} to="/notifications" />
            <ParkedCard parked={o.parked} />
          </div>

          <h2>Seller accounts</h2>
          {o.accounts.length === 0 ? (
            <p className="muted">No seller account yet.</p>
          ) : (
            <Table caption="Seller accounts and their last sync">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Seller id</th>
                  <th>Marketplaces</th>
                  <th>Sync</th>
                  <th>Synced until</th>
                </tr>
              </thead>
              <tbody>
                {o.accounts.map((account) => (
                  <tr key={account.id}>
                    <td>
                      <Link to={`/orders?accountId=${account.id}`}>{account.name}</Link>
                    </td>
                    <td>{account.sellerId}</td>
                    <td>{account.marketplaceIds.join(', ')}</td>
                    <td>
                      <Badge value={account.syncEnabled ? 'on' : 'off'} /> <span className="muted">every {account.syncIntervalSeconds} s</span>
                    </td>
                    <td>{dateTime(account.lastSyncedUntil)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}

          <h2>Services</h2>
          <Table caption="Readiness of each service">
            <thead>
              <tr>
                <th>Service</th>
                <th>Status</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(o.readiness.services).map(([name, service]) => (
                <tr key={name}>
                  <td>{name}</td>
                  <td>
                    <Badge value={service.status} />
                  </td>
                  <td className="wrap">{service.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </Table>
          <p className="muted">Read again every {POLL_SECONDS} s.</p>
        </>
      )}
    </>
  );
}

function Card({ label, value, to, note }: { label: string; value: ReactNode; to?: string; note?: string }) {
  const body = (
    <>
      <div className="muted">{label}</div>
      <div className="figure">{value}</div>
      {note && <div className="muted">{note}</div>}
    </>
  );
  return <div className="card">{to ? <Link to={to}>{body}</Link> : body}</div>;
}

function ParkedCard({ parked }: { parked: Overview['parked'] }) {
  if (parked === 'not visible') return <Card label="Parked events" value="—" note="not visible to this key" />;
  if (parked instanceof ApiError) return <Card label="Parked events" value="?" to="/parked-events" note={`cannot be read (${parked.status || 'no answer'})`} />;
  return <Card label="Parked events" value={shown(parked)} to="/parked-events" />;
}

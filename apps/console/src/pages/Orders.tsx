import { useState, type FormEvent } from 'react';
import { api, ok, type Account, type Schemas } from '../api/client';
import type { paths } from '../api/schema';
import { POLL_SECONDS, usePolling } from '../live';
import { entryState, Link, navigate, useLocation } from '../router';
import { Badge, Button, dateTime, ErrorNotice, Field, PageHeader, Select, Table, Updated } from '../ui';

type OrderQuery = NonNullable<paths['/api/v1/orders']['get']['parameters']['query']>;
/** The filters in the address; the buyer (personal data) is kept out of it, in the history entry's state. */
const FILTERS = ['accountId', 'marketplaceId', 'status', 'channel', 'amazonOrderId', 'sku', 'purchasedFrom', 'purchasedTo'] as const;
type Filters = Record<(typeof FILTERS)[number] | 'buyer', string>;
/** Kept with the history entry, not in the address: the buyer, and the cursors of the pages before this one ('' the first). */
interface OrdersEntry {
  buyer: string;
  before: string[];
}
const PAGE_SIZE = 25;
const STATUSES: Schemas['SalesOrderView']['status'][] = ['confirmed', 'partially_shipped', 'shipped', 'canceled'];

/**
 * Orders with the filters the API has. The filters but the buyer, and the page (`cursor`), live in the
 * address, so a view can be shared and back, forward and reload keep it; the buyer is not bookmarked.
 */
export function Orders() {
  const location = useLocation();
  const entry = entryState<OrdersEntry>();
  const buyer = entry.buyer ?? '';
  const before = entry.before ?? [];
  const filters = { ...Object.fromEntries(FILTERS.map((name) => [name, location.searchParams.get(name) ?? ''])), buyer } as Filters;
  const cursor = location.searchParams.get('cursor') || undefined;
  const viewKey = `${location.search}\n${buyer}`;

  const accounts = usePolling(async (signal) => (await ok(api.GET('/api/v1/accounts', { params: { query: { limit: 100 } }, signal }))).items, [], 60);
  const orders = usePolling(
    async (signal) => {
      const query: OrderQuery = { limit: PAGE_SIZE, cursor };
      for (const name of [...FILTERS, 'buyer'] as const) if (filters[name]) (query as Record<string, unknown>)[name] = filters[name];
      return ok(api.GET('/api/v1/orders', { params: { query }, signal }));
    },
    [viewKey],
  );

  // The form shows the view's filters again whenever the view changes (a link, back, forward).
  const [draft, setDraft] = useState(filters);
  const [draftOf, setDraftOf] = useState(viewKey);
  if (draftOf !== viewKey) {
    setDraftOf(viewKey);
    setDraft(filters);
  }
  const show = (shown: Filters, pageCursor: string | undefined, pagesBefore: string[], replace: boolean) => {
    const params = new URLSearchParams();
    for (const name of FILTERS) if (shown[name].trim()) params.set(name, shown[name].trim());
    if (pageCursor) params.set('cursor', pageCursor);
    navigate(`/orders${params.size ? `?${params}` : ''}`, replace, { buyer: shown.buyer.trim(), before: pagesBefore } satisfies OrdersEntry);
  };
  const apply = (event: FormEvent) => {
    event.preventDefault();
    show(draft, undefined, [], true);
  };

  return (
    <>
      <PageHeader title="Orders">
        <Updated at={orders.updatedAt} loading={orders.loading} />
      </PageHeader>
      <form className="card form-row" onSubmit={apply} aria-label="Filter orders">
        <Field label="Amazon order id" value={draft.amazonOrderId} onChange={(e) => setDraft({ ...draft, amazonOrderId: e.target.value })} placeholder="305-1234567-1234567" />
        <Field label="Buyer" value={draft.buyer} onChange={(e) => setDraft({ ...draft, buyer: e.target.value })} hint="Whole name or e-mail address" />
        <Field label="SKU" value={draft.sku} onChange={(e) => setDraft({ ...draft, sku: e.target.value })} />
        <Field label="Bought from" type="date" value={draft.purchasedFrom} onChange={(e) => setDraft({ ...draft, purchasedFrom: e.target.value })} />
        <Field label="Bought to" type="date" value={draft.purchasedTo} onChange={(e) => setDraft({ ...draft, purchasedTo: e.target.value })} />
        <Select
          label="Account"
          value={draft.accountId}
          onChange={(e) => setDraft({ ...draft, accountId: e.target.value })}
          options={[{ value: '', label: 'Every account' }, ...(accounts.data ?? []).map((a: Account) => ({ value: a.id, label: a.name }))]}
        />
        <Field label="Marketplace id" value={draft.marketplaceId} onChange={(e) => setDraft({ ...draft, marketplaceId: e.target.value })} placeholder="A1PA6795UKMFR9" />
        <Select label="Status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })} options={[{ value: '', label: 'Any status' }, ...STATUSES.map((s) => ({ value: s, label: s.replace('_', ' ') }))]} />
        <Select label="Channel" value={draft.channel} onChange={(e) => setDraft({ ...draft, channel: e.target.value })} options={[{ value: '', label: 'FBA and FBM' }, { value: 'FBM', label: 'FBM (seller ships)' }, { value: 'FBA', label: 'FBA (Amazon ships)' }]} />
        <Button type="submit">Search</Button>
      </form>
      <ErrorNotice error={orders.error} action="Cannot read the orders" />
      {orders.data && (
        <>
          <p className="visually-hidden" aria-live="polite">
            {orders.data.items.length} orders on this page
          </p>
          {orders.data.items.length === 0 ? (
            <p className="muted">No order matches. The list is read again every {POLL_SECONDS} s.</p>
          ) : (
            <Table caption="Orders">
              <thead>
                <tr>
                  <th>Amazon order</th>
                  <th>Channel</th>
                  <th>Status</th>
                  <th>Delivery</th>
                  <th>Amazon told</th>
                  <th className="number">Total</th>
                  <th>Purchased</th>
                  <th>Marketplace</th>
                </tr>
              </thead>
              <tbody>
                {orders.data.items.map((order) => (
                  <tr key={order.id}>
                    <td>
                      <Link to={`/orders/${order.id}`}>{order.amazonOrderId}</Link>
                    </td>
                    <td>{order.channel}</td>
                    <td>
                      <Badge value={order.status} />
                    </td>
                    <td>
                      <Badge value={order.deliveryState} />
                    </td>
                    <td>
                      <Badge value={order.amazonNotificationState} />
                    </td>
                    <td className="number">
                      {order.linesTotal} {order.currency}
                    </td>
                    <td>{dateTime(order.purchasedAt)}</td>
                    <td>{order.marketplaceId}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <nav className="pager" aria-label="Pages of orders">
            <Button variant="secondary" disabled={!cursor} onClick={() => show(filters, before.at(-1) || undefined, before.slice(0, -1), false)}>
              Previous
            </Button>
            {/* A page's address opened afresh has no pages before it to count. */}
            {(!cursor || before.length > 0) && <span className="muted">Page {before.length + 1}</span>}
            <Button variant="secondary" disabled={!orders.data.nextCursor} onClick={() => show(filters, orders.data!.nextCursor, [...before, cursor ?? ''], false)}>
              Next
            </Button>
          </nav>
        </>
      )}
    </>
  );
}

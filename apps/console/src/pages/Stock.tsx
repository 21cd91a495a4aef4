import { useState } from 'react';
import { api, ok, type Schemas } from '../api/client';
import { POLL_SECONDS, usePolling } from '../live';
import { Link } from '../router';
import { Badge, Button, dateTime, ErrorNotice, PageHeader, Select, Table, Updated } from '../ui';

type MoveState = Schemas['StockMoveView']['state'];
const PAGE = 100;
/** Products and locations are named from lists that change seldom: read again every minute. */
const NAMES_SECONDS = 60;

/** A list with "earlier" and "next" pages: the cursors of the pages read before this one. */
function usePages() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    reset: () => setCursors([undefined]),
    pager: (nextCursor: string | undefined, what: string) => (
      <div className="pager">
        <Button variant="secondary" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))} aria-label={`Previous page of ${what}`}>
          Previous
        </Button>
        <Button variant="secondary" disabled={!nextCursor} onClick={() => setCursors([...cursors, nextCursor])} aria-label={`Next page of ${what}`}>
          Next
        </Button>
      </div>
    ),
  };
}

/**
 * Stock on hand per product and location (done moves in, less done moves out), and the stock moves
 * that make it (FBA moves, the moves of FBM deliveries, adjustments), each with its order.
 */
export function Stock() {
  const names = usePolling(
    (signal) =>
      Promise.all([
        ok(api.GET('/api/v1/products', { params: { query: { limit: 500 } }, signal })),
        ok(api.GET('/api/v1/locations', { params: { query: { limit: 500 } }, signal })),
      ]).then(([products, locations]) => ({
        products: new Map(products.items.map((p) => [p.id, p])),
        locations: new Map(locations.items.map((l) => [l.id, l.name])),
      })),
    [],
    NAMES_SECONDS,
  );
  const levelPages = usePages();
  const levels = usePolling((signal) => ok(api.GET('/api/v1/stock', { params: { query: { limit: PAGE, cursor: levelPages.cursor } }, signal })), [levelPages.cursor]);
  const [state, setState] = useState<MoveState | ''>('');
  const movePages = usePages();
  const moves = usePolling(
    (signal) => ok(api.GET('/api/v1/stock-moves', { params: { query: { limit: PAGE, cursor: movePages.cursor, state: state || undefined } }, signal })),
    [state, movePages.cursor],
  );

  const product = (id: string) => {
    const known = names.data?.products.get(id);
    return known ? (
      <>
        {known.name} <span className="muted">{known.internalReference}</span>
      </>
    ) : (
      <span className="muted">{id}</span>
    );
  };
  const location = (id: string) => names.data?.locations.get(id) ?? id;

  return (
    <>
      <PageHeader title="Stock">
        <Updated at={levels.updatedAt} loading={levels.loading} />
      </PageHeader>
      <ErrorNotice error={names.error} action="Cannot read the names of products and locations" />
      <ErrorNotice error={levels.error} action="Cannot read the stock" />
      {levels.data && levels.data.items.length === 0 && <p className="muted">No stock yet: it is made by stock moves (adjustments, FBA shipments, FBM deliveries).</p>}
      {levels.data && levels.data.items.length > 0 && (
        <Table caption="Stock per product and location">
          <thead>
            <tr>
              <th>Product</th>
              <th>Location</th>
              <th className="number">Quantity</th>
            </tr>
          </thead>
          <tbody>
            {levels.data.items.map((level) => (
              <tr key={`${level.productId} ${level.locationId}`}>
                <td>{product(level.productId)}</td>
                <td>{level.locationName}</td>
                <td className="number">{level.quantity}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {levelPages.pager(levels.data?.nextCursor, 'stock')}

      <h2>Stock moves</h2>
      <div className="form-row">
        <Select
          label="State"
          value={state}
          onChange={(e) => {
            setState(e.target.value as MoveState | '');
            movePages.reset();
          }}
          options={[
            { value: '', label: 'Any state' },
            { value: 'ready', label: 'Ready (to ship)' },
            { value: 'done', label: 'Done' },
            { value: 'canceled', label: 'Canceled' },
          ]}
        />
        <Updated at={moves.updatedAt} loading={moves.loading} />
      </div>
      <ErrorNotice error={moves.error} action="Cannot read the stock moves" />
      {moves.data && moves.data.items.length === 0 && <p className="muted">No stock move{state ? ' in this state' : ''}.</p>}
      {moves.data && moves.data.items.length > 0 && (
        <Table caption="Stock moves, oldest first">
          <thead>
            <tr>
              <th>Done</th>
              <th>Product</th>
              <th className="number">Quantity</th>
              <th>From</th>
              <th>To</th>
              <th>State</th>
              <th>Why</th>
              <th>Order</th>
            </tr>
          </thead>
          <tbody>
            {moves.data.items.map((move) => (
              <tr key={move.id}>
                <td>{dateTime(move.doneAt)}</td>
                <td>{product(move.productId)}</td>
                <td className="number">{move.quantity}</td>
                <td>{location(move.fromLocationId)}</td>
                <td>{location(move.toLocationId)}</td>
                <td>
                  <Badge value={move.state} />
                </td>
                <td className="wrap">{move.reason}</td>
                <td>{move.orderId ? <Link to={`/orders/${move.orderId}`} aria-label={`Open the order of move ${move.id}`}>Open the order</Link> : ''}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {movePages.pager(moves.data?.nextCursor, 'stock moves')}
      <p className="muted">Read again every {POLL_SECONDS} s.</p>
    </>
  );
}

import { decodeCursor } from '@connector/persistence';
import { withinReplyBudget } from './paging';

describe('a list reply within what one NATS message carries', () => {
  const rows = Array.from({ length: 5 }, (_, i) => ({ id: `row-${i}`, createdAt: new Date(Date.UTC(2026, 11, 7, 10, i)), latestShipDate: i === 3 ? null : new Date(Date.UTC(2026, 11, 8, i)) }));
  const views = rows.map((row) => ({ id: row.id, text: 'x'.repeat(90) }));

  it('keeps the whole page while it fits, with the cursor it had', () => {
    expect(withinReplyBudget(rows, views, 'next', undefined, 10_000)).toEqual({ items: views, nextCursor: 'next' });
    expect(withinReplyBudget(rows, views, undefined, undefined, 10_000)).toEqual({ items: views, nextCursor: undefined });
  });

  it('cuts it where the next item would not fit, and goes on after the last one kept', () => {
    const page = withinReplyBudget(rows, views, undefined, undefined, 250);
    expect(page.items.map((v) => v.id)).toEqual(['row-0', 'row-1']);
    expect(decodeCursor(page.nextCursor)).toEqual({ at: rows[1].createdAt.toISOString(), id: 'row-1' });
  });

  it('pages by the column the list is sorted by, named in the cursor; a row without its time sorts last', () => {
    const page = withinReplyBudget(rows.slice(3), views.slice(3), undefined, { at: 'latestShipDate' }, 150);
    expect(decodeCursor(page.nextCursor)).toEqual({ at: '9999-12-31T23:59:59.999Z', id: 'row-3', sort: 'latestShipDate' });
  });

  it('always keeps one item, however large', () => {
    const page = withinReplyBudget(rows, views, undefined, undefined, 10);
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toBeDefined();
  });
});

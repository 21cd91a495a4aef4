import { isUUID } from 'class-validator';
import { decodeCursor, encodeCursor } from './cursor';
import { inLockOrder } from './lock-order';
import { newRowId } from './row-id';
import { SnakeNamingStrategy } from './snake-naming.strategy';

describe('inLockOrder', () => {
  it('orders rows by their key whatever order they came in, and leaves the input as it was', () => {
    const rows = [{ k: 'b|2' }, { k: 'a|9' }, { k: 'b|10' }];
    expect(inLockOrder(rows, (r) => r.k).map((r) => r.k)).toEqual(['a|9', 'b|10', 'b|2']);
    expect(inLockOrder([...rows].reverse(), (r) => r.k)).toEqual(inLockOrder(rows, (r) => r.k));
    expect(rows.map((r) => r.k)).toEqual(['b|2', 'a|9', 'b|10']);
  });
});

describe('newRowId', () => {
  it('is a UUIDv7 that sorts by creation time, so new rows go to the end of their index', async () => {
    const first = newRowId();
    await new Promise((resolve) => setTimeout(resolve, 3));
    const ids = [newRowId(), newRowId(), newRowId()];
    expect(isUUID(first, 7)).toBe(true);
    expect(new Set([first, ...ids]).size).toBe(4);
    expect([ids[0], first].sort()).toEqual([first, ids[0]]);
  });
});

describe('persistence helpers', () => {
  it('round-trips list cursors and refuses forged ones', () => {
    const position = { at: '2026-11-27T10:00:00.123Z', id: '5b0f1c1e-6c3a-4e0e-9d7b-3f1f5c3a1a11' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor(Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url'))).toBeNull();
    expect(decodeCursor(undefined)).toBeNull();
  });

  it('names columns in snake case', () => {
    const naming = new SnakeNamingStrategy();
    expect(naming.columnName('amazonOrderId', undefined, [])).toBe('amazon_order_id');
    expect(naming.columnName('unitPriceTaxIncluded', undefined, [])).toBe('unit_price_tax_included');
    expect(naming.tableName('SalesOrder', 'sales_orders')).toBe('sales_orders');
  });
});

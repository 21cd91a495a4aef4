import { isUUID } from 'class-validator';
import { decodeCursor, encodeCursor } from './cursor';
import { newRowId } from './row-id';
import { SnakeNamingStrategy } from './snake-naming.strategy';

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

import { isUUID } from 'class-validator';
import { decodeCursor, encodeCursor } from './cursor';
import { containsPattern } from './like-pattern';
import { Logger } from '@nestjs/common';
import { SqlErrorLogger } from './sql-logger';
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
    // Only what encodeCursor writes: an instant as toISOString writes it and a short printable key.
    const forged = (at: unknown, id: unknown) => decodeCursor(Buffer.from(JSON.stringify([at, id])).toString('base64url'));
    expect(forged('2026-01-01', 'x')).toBeNull();
    expect(forged('2026-13-01T00:00:00.000Z', 'x')).toBeNull();
    expect(forged('2026-01-01T00:00:00.000Z', "x' or 1=1 --")).toBeNull();
    expect(forged('2026-01-01T00:00:00.000Z', 'x'.repeat(101))).toBeNull();
    expect(forged('2026-01-01T00:00:00.000Z', 7)).toBeNull();
    expect(forged('2026-01-01T00:00:00.000Z', 'A1PA6795UKMFR9')).toEqual({ at: '2026-01-01T00:00:00.000Z', id: 'A1PA6795UKMFR9' });
  });

  it('carries the sort column of a list not sorted by creation, and refuses a forged one', () => {
    const position = { at: '2026-12-07T10:00:00.000Z', id: '5b0f1c1e-6c3a-4e0e-9d7b-3f1f5c3a1a11', sort: 'latestShipDate' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    const forged = (...parts: unknown[]) => decodeCursor(Buffer.from(JSON.stringify(parts)).toString('base64url'));
    expect(forged('2026-12-07T10:00:00.000Z', 'x', 'latest_ship_date; drop table')).toBeNull();
    expect(forged('2026-12-07T10:00:00.000Z', 'x', 7)).toBeNull();
    expect(forged('2026-12-07T10:00:00.000Z', 'x', null)).toBeNull();
    expect(forged('2026-12-07T10:00:00.000Z', 'x', 'latestShipDate', 'more')).toBeNull();
    expect(decodeCursor(Buffer.from(JSON.stringify({ at: '2026-12-07T10:00:00.000Z', id: 'x' })).toString('base64url'))).toBeNull();
  });

  it('names columns in snake case', () => {
    const naming = new SnakeNamingStrategy();
    expect(naming.columnName('amazonOrderId', undefined, [])).toBe('amazon_order_id');
    expect(naming.columnName('unitPriceTaxIncluded', undefined, [])).toBe('unit_price_tax_included');
    expect(naming.tableName('SalesOrder', 'sales_orders')).toBe('sales_orders');
  });
});

describe('containsPattern', () => {
  it('escapes what LIKE would read as wildcards, and the escape character itself', () => {
    expect(containsPattern('abc')).toBe('%abc%');
    expect(containsPattern('50%_off')).toBe('%50\\%\\_off%');
    expect(containsPattern('a\\b')).toBe('%a\\\\b%');
  });
});

describe('SqlErrorLogger', () => {
  it('says which statement failed and why, never the values it carried', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void lines.push(String(message)));
    try {
      new SqlErrorLogger().logQueryError(new Error('duplicate key value violates unique constraint "contacts_pkey"'), 'insert into contacts (name, street) values ($1, $2)', ['Jane Buyer', '1 Secret Lane']);
    } finally {
      spy.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('contacts_pkey');
    expect(lines[0]).toContain('insert into contacts');
    expect(lines[0]).not.toMatch(/Jane|Secret Lane/);
  });
});

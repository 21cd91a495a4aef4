import { salesOrderId } from './sales-order-id';

describe('salesOrderId: a new sales order is named by its account and Amazon order id', () => {
  const account = '0b9d2c1e-3f4a-4b5c-8d6e-7f8091a2b3c4';

  it('is the same uuid for the same order, so a retried or raced write names it the same', () => {
    expect(salesOrderId(account, '302-1234567-1234567')).toBe(salesOrderId(account, '302-1234567-1234567'));
    expect(salesOrderId(account, '302-1234567-1234567')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('differs between orders and between accounts', () => {
    const other = '1c0e3d2f-4a5b-4c6d-9e7f-8091a2b3c4d5';
    expect(salesOrderId(account, '302-1234567-1234567')).not.toBe(salesOrderId(account, '302-1234567-1234568'));
    expect(salesOrderId(account, '302-1234567-1234567')).not.toBe(salesOrderId(other, '302-1234567-1234567'));
  });
});

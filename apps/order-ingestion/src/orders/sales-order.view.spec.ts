import { SalesOrderLineKind } from '@connector/contracts';
import { SalesOrderLine } from './sales-order-line.entity';
import { FulfillmentChannel } from '@connector/contracts';
import { SalesOrder } from './sales-order.entity';
import { lineView, orderEventOf } from './sales-order.view';

describe('sales order line view', () => {
  const line = (quantity: number, taxAmount: string) =>
    ({ id: 'l', kind: SalesOrderLineKind.Product, quantity, quantityShipped: 0, taxAmount, unitPriceTaxIncluded: '11.90', unitPriceTaxExcluded: '10.00', promotionIds: [] }) as unknown as SalesOrderLine;

  it('gives the tax per unit beside the line tax', () => {
    expect(lineView(line(3, '5.70'), 'EUR')).toMatchObject({ taxAmount: '5.70', unitTaxAmount: '1.90' });
    // Rounded to the cent, like the unit prices; the line's tax stays exact.
    expect(lineView(line(3, '1.00'), 'EUR')).toMatchObject({ taxAmount: '1.00', unitTaxAmount: '0.33' });
    // A line of quantity 0 (a cancelled item) shows its tax as is.
    expect(lineView(line(0, '0.00'), 'EUR').unitTaxAmount).toBe('0.00');
  });

  it('order events leave charge lines out (consumers before that kind would park the event)', () => {
    const order = { id: 'o', version: 1, accountId: 'a', marketplaceId: 'm', amazonOrderId: '503-1', channel: FulfillmentChannel.FBM } as SalesOrder;
    const lines = [
      { ...line(1, '0.00'), id: 'p', kind: SalesOrderLineKind.Product },
      { ...line(1, '0.00'), id: 's', kind: SalesOrderLineKind.Shipping },
      { ...line(1, '0.00'), id: 'c', kind: SalesOrderLineKind.Charge },
    ] as SalesOrderLine[];
    expect(orderEventOf(order, lines).lines.map((l) => l.kind)).toEqual([SalesOrderLineKind.Product, SalesOrderLineKind.Shipping]);
  });
});

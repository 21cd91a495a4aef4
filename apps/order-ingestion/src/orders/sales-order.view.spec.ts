import { SalesOrderLineKind } from '@connector/contracts';
import { SalesOrderLine } from './sales-order-line.entity';
import { lineView } from './sales-order.view';

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
});

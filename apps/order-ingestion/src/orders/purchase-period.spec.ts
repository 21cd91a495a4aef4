import { ServiceError } from '@connector/platform';
import { purchasePeriod } from './sales-orders.service';

describe('purchasePeriod (GET /api/v1/orders?purchasedFrom&purchasedTo)', () => {
  it('takes a date alone as its whole day (UTC), both ends inclusive', () => {
    expect(purchasePeriod({ purchasedFrom: '2026-12-01', purchasedTo: '2026-12-06' })).toEqual({
      from: new Date('2026-12-01T00:00:00.000Z'),
      before: new Date('2026-12-07T00:00:00.000Z'),
    });
    expect(purchasePeriod({ purchasedFrom: '2026-12-06', purchasedTo: '2026-12-06' }).before).toEqual(new Date('2026-12-07T00:00:00.000Z'));
  });

  it('takes an instant as it is, the end included to the millisecond', () => {
    expect(purchasePeriod({ purchasedFrom: '2026-12-06T14:00:00+01:00', purchasedTo: '2026-12-06T15:30:00.250Z' })).toEqual({
      from: new Date('2026-12-06T13:00:00.000Z'),
      before: new Date('2026-12-06T15:30:00.251Z'),
    });
    expect(purchasePeriod({})).toEqual({ from: undefined, before: undefined });
    // Without an offset: UTC, whatever the server's zone.
    expect(purchasePeriod({ purchasedFrom: '2026-12-06T14:00' }).from).toEqual(new Date('2026-12-06T14:00:00.000Z'));
  });

  it('refuses a period that ends before it starts, naming purchasedTo', () => {
    const refusal = (() => {
      try {
        purchasePeriod({ purchasedFrom: '2026-12-06T12:00:00Z', purchasedTo: '2026-12-05' });
      } catch (err) {
        return err as ServiceError;
      }
    })();
    expect(refusal).toBeInstanceOf(ServiceError);
    expect(refusal?.body).toMatchObject({ statusCode: 400, details: [{ field: 'purchasedTo' }] });
  });
});

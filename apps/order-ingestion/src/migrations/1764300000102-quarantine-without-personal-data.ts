import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quarantined orders were kept whole, buyer and recipient included, even after they mapped.
 * Now a resolved one keeps no payload, and an open one keeps the order without personal data
 * (as SalesOrderWriter.quarantine stores it).
 */
export class QuarantineWithoutPersonalData1764300000102 implements MigrationInterface {
  name = 'QuarantineWithoutPersonalData1764300000102';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`update quarantined_orders set payload = null where resolved_at is not null and payload is not null`);
    await q.query(`
      update quarantined_orders
         set payload = (payload - 'buyer' - 'recipient')
                       || case when payload #> '{recipient,deliveryAddress}' is null then '{}'::jsonb
                               else jsonb_build_object('recipient', jsonb_build_object('deliveryAddress', jsonb_strip_nulls(jsonb_build_object(
                                      'countryCode', payload #> '{recipient,deliveryAddress,countryCode}',
                                      'stateOrRegion', payload #> '{recipient,deliveryAddress,stateOrRegion}',
                                      'postalCode', payload #> '{recipient,deliveryAddress,postalCode}')))) end
       where resolved_at is null and jsonb_typeof(payload) = 'object' and (payload ? 'buyer' or payload ? 'recipient')`);
  }

  async down(): Promise<void> {
    // The personal data is gone on purpose.
  }
}

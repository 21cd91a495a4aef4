import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Shipment claims are provisional until inventory's delivery.validated is seen (`confirmed_at`): a
 * claim whose validation never committed in inventory is found and dropped. Claims made before this
 * count as confirmed (their validations committed or were retried long ago).
 *
 * A refused cancellation's units may come back (`given_back`): a retry by hand that Amazon then takes
 * cancels them again; `decided_at` is the outcome applied last, so an older one arriving later changes nothing.
 */
export class ClaimsConfirmedRefusalsOutcome1765800000180 implements MigrationInterface {
  name = 'ClaimsConfirmedRefusalsOutcome1765800000180';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table shipment_claims add column confirmed_at timestamptz`);
    await q.query(`update shipment_claims set confirmed_at = claimed_at`);
    await q.query(`create index shipment_claims_unconfirmed on shipment_claims (claimed_at) where confirmed_at is null`);
    await q.query(`alter table refused_cancellations add column given_back boolean not null default true, add column decided_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table refused_cancellations drop column given_back, drop column decided_at`);
    await q.query(`drop index shipment_claims_unconfirmed`);
    await q.query(`alter table shipment_claims drop column confirmed_at`);
  }
}

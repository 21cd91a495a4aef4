import { createIndexConcurrently, dropIndexConcurrently } from '@connector/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `deliveries_ready`: the deliveries waiting to be validated, for the scrape-time gauges
 * (DeliveriesMetrics, on every replica every scrape). Deliveries are never deleted, so without it
 * each scrape read the whole table (300-520 ms at 2M deliveries, growing); with it, an index-only
 * scan of the ready ones. Built concurrently: deliveries are written all the time.
 */
export class DeliveriesReadyIndex1766000000800 implements MigrationInterface {
  name = 'DeliveriesReadyIndex1766000000800';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await createIndexConcurrently(q, 'deliveries_ready', `on deliveries (created_at) include (account_id) where state = 'ready'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropIndexConcurrently(q, 'deliveries_ready');
  }
}

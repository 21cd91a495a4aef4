import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { reasonOf } from './event-decoding';
import { ParkedEvent } from './messaging.entities';

/** Events that cannot be handled (unreadable, invalid, or failing every delivery), kept aside for a person. */
export class EventParking {
  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  /**
   * Records the event as parked, and as processed: should its message come again for a sibling
   * event's retry, it is not run again. Returns false if that fails: then the message is to
   * come again rather than the event being lost.
   */
  async park(subject: string, eventId: string, raw: string, reason: string, deliveries: number): Promise<boolean> {
    this.logger.error(`parked ${subject} ${eventId}: ${reason}`);
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager
          .createQueryBuilder()
          .insert()
          .into(ParkedEvent)
          .values({ eventId, subject, payload: raw, reason, deliveries })
          .orUpdate(['reason', 'deliveries'], ['event_id'])
          .execute();
        await manager.query(`insert into processed_events (event_id, subject) values ($1, $2) on conflict do nothing`, [eventId, subject]);
      });
      return true;
    } catch (err) {
      this.logger.error(`could not park ${eventId}: ${reasonOf(err)}`);
      return false;
    }
  }
}

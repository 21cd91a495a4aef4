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
        await manager.query(`delete from event_failures where event_id = $1`, [eventId]);
      });
      return true;
    } catch (err) {
      this.logger.error(`could not park ${eventId}: ${reasonOf(err)}`);
      return false;
    }
  }
}

/**
 * Counts an event's own failures (its handler threw for a reason of its own), apart from its
 * deliveries: a delivery during an outage, or a hand-back at shutdown, is no failure of the event.
 */
export class EventFailures {
  constructor(private readonly dataSource: DataSource) {}

  /** The event's failures including this one; undefined if they cannot be counted now (the database is away, say). */
  async count(eventId: string, subject: string, reason: string): Promise<number | undefined> {
    try {
      const [row]: { failures: number }[] = await this.dataSource.query(
        `insert into event_failures (event_id, subject, failures, last_reason, failed_at) values ($1, $2, 1, $3, now())
         on conflict (event_id) do update set failures = event_failures.failures + 1, last_reason = excluded.last_reason, failed_at = now()
         returning failures`,
        [eventId, subject, reason],
      );
      return row.failures;
    } catch {
      return undefined;
    }
  }
}

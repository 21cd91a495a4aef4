import { Logger } from '@nestjs/common';
import { ALERT_RAISED, AlertKind, SERVICE_NAMES, ServiceName } from '@connector/contracts';
import { DataSource } from 'typeorm';
import { alertText, raiseAlert } from './alerts';
import { reasonOf } from './event-decoding';

/** Events that cannot be handled (unreadable, invalid, or failing every delivery), kept aside for a person. */
export class EventParking {
  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    /** The service that parks: a connector service raises an `event.parked` alert for each event it parks. */
    private readonly serviceName?: string,
  ) {}

  /** Alerts go out through the service's own outbox; the gateway (which sends them) raises none of its own here. */
  private get alerting(): ServiceName | undefined {
    return (SERVICE_NAMES as readonly string[]).includes(this.serviceName ?? '') ? (this.serviceName as ServiceName) : undefined;
  }

  /**
   * Records the event as parked, and as processed: should its message come again for a sibling
   * event's retry, it is not run again. Returns false if that fails: then the message is to
   * come again rather than the event being lost. `alertReason`: what its alert says of why (our
   * own words and the error's class: see errorClass), `reason` being kept here only.
   */
  async park(subject: string, eventId: string, raw: string, reason: string, deliveries: number, alertReason: string): Promise<boolean> {
    this.logger.error(`parked ${subject} ${eventId}: ${reason}`);
    try {
      await this.dataSource.transaction(async (manager) => {
        // (xmax = 0): the row is new, not an event parked again (its message came once more).
        const [parked]: { fresh: boolean }[] = await manager.query(
          `insert into parked_events (event_id, subject, payload, reason, deliveries) values ($1, $2, $3, $4, $5)
           on conflict (event_id) do update set reason = excluded.reason, deliveries = excluded.deliveries
           returning (xmax = 0) as fresh`,
          [eventId, subject, raw, reason, deliveries],
        );
        // Once per parked event, in the parking's transaction. Never for a parked alert: that
        // would be an alert about an alert.
        const service = this.alerting;
        if (parked?.fresh && service && subject !== ALERT_RAISED.subject) {
          await raiseAlert(manager, {
            kind: AlertKind.EventParked,
            service,
            summary: `${service} parked a ${subject} event: ${alertText(alertReason, 300)}`,
            // Neither the payload (events carry gift messages) nor the error's message (it may
            // quote the payload's values): the parked event, behind the API, has both.
            details: { eventId, subject, reason: alertText(alertReason), deliveries },
          });
        }
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

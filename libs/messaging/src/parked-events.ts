import { Controller, Injectable, Type } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import {
  EVENTS_WITH_PERSONAL_DATA,
  OWNED_EVENT_SUBJECTS,
  ListParkedEventsRequest,
  Page,
  PARKED_EVENTS,
  ParkedEventActionView,
  ParkedEventDetailView,
  ParkedEventRequest,
  ParkedEventView,
  ServiceName,
} from '@connector/contracts';
import { DataSource } from 'typeorm';
import { EventConsumer } from './event-consumer';

interface ParkedRow {
  event_id: string;
  subject: string;
  reason: string;
  deliveries: number;
  parked_at: Date;
  /** parked_at to the microsecond, for the cursor. */
  parked_at_text: string;
  discarded_at: Date | null;
  payload?: string;
}

const COLUMNS = `event_id, subject, reason, deliveries, parked_at, parked_at::text as parked_at_text, discarded_at`;

function problem(statusCode: 400 | 404 | 409, message: string): RpcException {
  const error = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict' }[statusCode];
  return new RpcException({ statusCode, error, message });
}

/** Lists, shows, replays and discards the events this service parked (see EventParking). */
@Injectable()
export class ParkedEvents {
  constructor(
    private readonly dataSource: DataSource,
    private readonly consumer: EventConsumer,
    readonly service: string,
  ) {}

  /** Events waiting for a person (not discarded): what health reports. */
  async waiting(): Promise<number> {
    const [{ n }] = await this.dataSource.query(`select count(*)::int as n from parked_events where discarded_at is null`);
    return n;
  }

  async list(request: ListParkedEventsRequest): Promise<Page<ParkedEventView>> {
    const limit = request.limit ?? 50;
    const after = request.cursor ? decodeParkedCursor(request.cursor) : undefined;
    if (request.cursor && !after) throw problem(400, 'cursor is not one this API handed out');
    const rows: ParkedRow[] = await this.dataSource.query(
      `select ${COLUMNS} from parked_events
       where (discarded_at is null) = $1 and ($2::timestamptz is null or (parked_at, event_id) > ($2::timestamptz, $3::text))
       order by parked_at, event_id limit $4`,
      [request.state !== 'discarded', after?.at ?? null, after?.id ?? null, limit + 1],
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((row) => this.view(row)),
      nextCursor: rows.length > limit && last ? encodeParkedCursor(last.parked_at_text, last.event_id) : undefined,
    };
  }

  async get(eventId: string): Promise<ParkedEventDetailView> {
    const row = await this.find(eventId);
    // Only events known to carry no buyers' personal data show their payload.
    const redacted = EVENTS_WITH_PERSONAL_DATA.has(row.subject) || !OWNED_EVENT_SUBJECTS.includes(row.subject);
    return { ...this.view(row), payload: redacted ? null : (row.payload ?? null), payloadRedacted: redacted };
  }

  /** Handles the event again now, as if new; if it fails again it stays parked and the answer says why. */
  async replay(eventId: string): Promise<ParkedEventActionView> {
    const row = await this.find(eventId);
    if (row.discarded_at) throw problem(409, `event ${eventId} was discarded; it cannot be replayed`);
    const failure = await this.consumer.replay(row.subject, eventId, row.payload ?? '');
    if (failure) throw problem(409, `event ${eventId} failed again and stays parked: ${failure}`);
    return { ...this.view(row), outcome: 'replayed' };
  }

  /** Keeps the event, marked discarded: it no longer counts as waiting. */
  async discard(eventId: string): Promise<ParkedEventActionView> {
    const [rows]: [ParkedRow[], number] = await this.dataSource.query(
      `update parked_events set discarded_at = now() where event_id = $1 and discarded_at is null returning ${COLUMNS}`,
      [eventId],
    );
    if (rows.length === 0) {
      const row = await this.find(eventId);
      throw problem(409, `event ${row.event_id} was already discarded at ${row.discarded_at?.toISOString()}`);
    }
    return { ...this.view(rows[0]), outcome: 'discarded' };
  }

  private async find(eventId: string): Promise<ParkedRow> {
    const [row]: ParkedRow[] = await this.dataSource.query(`select ${COLUMNS}, payload from parked_events where event_id = $1`, [eventId]);
    if (!row) throw problem(404, `no parked event ${eventId} in ${this.service}`);
    return row;
  }

  private view(row: ParkedRow): ParkedEventView {
    return {
      service: this.service,
      eventId: row.event_id,
      subject: row.subject,
      reason: row.reason,
      deliveries: row.deliveries,
      parkedAt: row.parked_at.toISOString(),
      discardedAt: row.discarded_at ? row.discarded_at.toISOString() : null,
    };
  }
}

function encodeParkedCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

/** A timestamptz as PostgreSQL writes it (what the cursor holds: microseconds, which a Date would lose). */
const POSTGRES_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

function decodeParkedCursor(cursor: string): { at: string; id: string } | undefined {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof at !== 'string' || typeof id !== 'string' || !POSTGRES_TIMESTAMP.test(at) || id.length > 300) return undefined;
    return { at, id };
  } catch {
    return undefined;
  }
}

/** The NATS request handlers of a service's parked events, on the service's own subjects. */
export function parkedEventsController(service: ServiceName): Type<unknown> {
  const contracts = PARKED_EVENTS[service];
  @Controller()
  class ParkedEventsController {
    constructor(private readonly parked: ParkedEvents) {}

    @MessagePattern(contracts.list.subject)
    list(@Payload() request: ListParkedEventsRequest): Promise<Page<ParkedEventView>> {
      return this.parked.list(request);
    }

    @MessagePattern(contracts.get.subject)
    get(@Payload() request: ParkedEventRequest): Promise<ParkedEventDetailView> {
      return this.parked.get(request.eventId);
    }

    @MessagePattern(contracts.replay.subject)
    replay(@Payload() request: ParkedEventRequest): Promise<ParkedEventActionView> {
      return this.parked.replay(request.eventId);
    }

    @MessagePattern(contracts.discard.subject)
    discard(@Payload() request: ParkedEventRequest): Promise<ParkedEventActionView> {
      return this.parked.discard(request.eventId);
    }
  }
  return ParkedEventsController;
}

import { IsIn, IsString, MaxLength } from 'class-validator';
import { replyOf, RequestContract, requestContract } from '../common/message-contract';
import { PageQuery } from '../common/page-query';
import type { Page } from '../common/rpc-error';
import { SERVICE_NAMES, ServiceName } from '../health/health.messages';
import { ORDER_SYNCED } from '../orders/order.events';

/** Parked events of a service: those waiting for a person (default), or those a person discarded. */
export class ListParkedEventsRequest extends PageQuery {
  @IsIn(['parked', 'discarded']) state: 'parked' | 'discarded' = 'parked';
}

/** One parked event of a service, by its event id. */
export class ParkedEventRequest {
  /** The event's id (its outbox id; for a message that could not be read, its message id). */
  @IsString() @MaxLength(300) eventId: string;
}

export class ParkedEventView {
  /** @example "inventory" */
  service: string;
  /** @example "0192f3c4-8d2e-7a10-9c4b-3f1e2d5a6b7c" */
  eventId: string;
  /** @example "order.synced.v1" */
  subject: string;
  /** Why it was parked. @example "failed 8 times, last: no product for SKU X-1" */
  reason: string;
  /** How often it had been delivered when it was parked. @example 8 */
  deliveries: number;
  parkedAt: string;
  /** When a person discarded it; null while it waits. */
  discardedAt: string | null;
}

/** A parked event with its payload, unless that could hold buyers' personal data. */
export class ParkedEventDetailView extends ParkedEventView {
  /** The event as it came (JSON text); null when redacted. */
  payload: string | null;
  /** True when the payload is withheld because events of this subject carry buyers' personal data (gift messages). */
  payloadRedacted: boolean;
}

/** What a replay or discard did. */
export class ParkedEventActionView extends ParkedEventView {
  /** `replayed`: handled again now as if new (its outcome is in the service; if it fails again it is parked again). */
  outcome: 'replayed' | 'discarded';
}

/**
 * Events whose payload carries buyers' personal data (order.synced: the gift message): a parked
 * one is listed and replayed, but its payload is never shown. A subject not known to the
 * contracts is treated alike (an unreadable message may hold anything).
 */
export const EVENTS_WITH_PERSONAL_DATA: ReadonlySet<string> = new Set([ORDER_SYNCED.subject]);

export interface ParkedEventContracts {
  list: RequestContract<ListParkedEventsRequest, Page<ParkedEventView>>;
  get: RequestContract<ParkedEventRequest, ParkedEventDetailView>;
  replay: RequestContract<ParkedEventRequest, ParkedEventActionView>;
  discard: RequestContract<ParkedEventRequest, ParkedEventActionView>;
}

function parkedEventContracts(service: ServiceName): ParkedEventContracts {
  return {
    list: requestContract({ subject: `${service}.parked-events.list.v1`, version: 1, payload: ListParkedEventsRequest, reply: replyOf<Page<ParkedEventView>>() }),
    get: requestContract({ subject: `${service}.parked-events.get.v1`, version: 1, payload: ParkedEventRequest, reply: replyOf<ParkedEventDetailView>() }),
    replay: requestContract({ subject: `${service}.parked-events.replay.v1`, version: 1, payload: ParkedEventRequest, reply: replyOf<ParkedEventActionView>() }),
    discard: requestContract({ subject: `${service}.parked-events.discard.v1`, version: 1, payload: ParkedEventRequest, reply: replyOf<ParkedEventActionView>() }),
  };
}

/** Every service that consumes events answers these on subjects of its own; the gateway asks. */
export const PARKED_EVENTS = Object.freeze(Object.fromEntries(SERVICE_NAMES.map((service) => [service, parkedEventContracts(service)])) as Record<ServiceName, ParkedEventContracts>);

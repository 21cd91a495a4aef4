import { createHash } from 'node:crypto';
import type { EventToPublish } from './event-stream';

/**
 * The relay publishes a run of consecutive outbox events of one subject as one JetStream
 * message, a pack: `[{"id": <outbox id>, "payload": <event>}, ...]`. Each event keeps its own
 * id, is validated, deduplicated, handled and, if it must be, parked on its own by the
 * consumer; only the transport is shared. A message per event cost JetStream, the relay and
 * every consumer a publish, a store, a delivery and an ack each.
 * A message without the header is a single event (what the relay published before packs).
 */
export const PACK_HEADER = 'Connector-Event-Pack';

/**
 * Ends the name of every durable consumer of a version that reads packs. The relay packs only
 * while every durable consumer on the stream has it: during a rolling upgrade from a version
 * before packs, whose consumers would park a pack as one invalid event, it publishes one
 * message per event (named by its outbox id) until the last older consumer is replaced.
 */
export const PACK_READER_SUFFIX = '--packs';

/** Events per pack: about one consumer batch. */
export const PACK_MAX_EVENTS = 100;
/**
 * Bytes per pack, unless the server allows less (see packLimitFor): a quarter of NATS's
 * default max_payload, so a consumer's pull of 100 messages stays within about 25 MiB.
 */
export const PACK_MAX_BYTES = 256 * 1024;
/** What a message's headers may take of the server's max_payload. */
export const HEADER_ROOM_BYTES = 1024;

/** The largest pack a server with this max_payload takes. */
export function packLimitFor(maxPayload: number): number {
  return Math.max(1, Math.min(PACK_MAX_BYTES, maxPayload - HEADER_ROOM_BYTES));
}

export interface OutboxEvent {
  id: string;
  subject: string;
  /** JSON text. */
  payload: string;
  /** Of the work that wrote it. */
  correlationId?: string;
}

export interface PackedEvent {
  id: string;
  payload: unknown;
  /** Each event's own (events of several requests share a pack); older relays left it out. */
  correlationId?: string;
}

/**
 * Packs events, in order, into messages of consecutive events of one subject. The message id
 * is derived from every event id in the pack: a relay that publishes the same events again
 * after a failed commit makes the same packs, which JetStream drops as duplicates; a pack
 * that differs in any event (one committed meanwhile may sort between two others) gets a
 * new id, and the consumers' processed-event records skip the events they handled.
 */
export function packEvents(events: OutboxEvent[], maxBytes = PACK_MAX_BYTES): EventToPublish[] {
  const packs: EventToPublish[] = [];
  let start = 0;
  while (start < events.length) {
    const subject = events[start].subject;
    const parts: string[] = [];
    let bytes = 2;
    let end = start;
    while (end < events.length && events[end].subject === subject && parts.length < PACK_MAX_EVENTS) {
      const { id, correlationId, payload } = events[end];
      const part = `{"id":${JSON.stringify(id)},${correlationId ? `"correlationId":${JSON.stringify(correlationId)},` : ''}"payload":${payload}}`;
      const partBytes = Buffer.byteLength(part) + 1;
      // An event larger than a pack goes alone (and NATS says whether it takes it).
      if (parts.length > 0 && bytes + partBytes > maxBytes) break;
      parts.push(part);
      bytes += partBytes;
      end++;
    }
    const packed = events.slice(start, end);
    // The message's header names the correlation id its events share, if they share one.
    const correlationId = packed.every((e) => e.correlationId === packed[0].correlationId) ? packed[0].correlationId : undefined;
    packs.push({ subject, data: `[${parts.join(',')}]`, id: packId(packed), pack: parts.length, eventIds: packed.map((e) => e.id), correlationId });
    start = end;
  }
  return packs;
}

/** First and last event id, for whoever reads the stream, and a digest of all of them. */
function packId(events: OutboxEvent[]): string {
  const digest = createHash('sha256');
  for (const event of events) digest.update(event.id).update(',');
  return `${events[0].id}..${events[events.length - 1].id}.${digest.digest('base64url')}`;
}

/** The events of a pack's body; throws if it is not one (an empty pack is none either). */
export function unpackEvents(body: string): PackedEvent[] {
  const parsed: unknown = JSON.parse(body);
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((e) => typeof e === 'object' && e !== null && typeof e.id === 'string' && 'payload' in e)) {
    throw new Error('not a pack of events');
  }
  return parsed as PackedEvent[];
}

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
/** In characters: even if every one took three bytes, a pack stays under NATS's default max_payload of 1 MiB. */
export const PACK_MAX_CHARS = 256 * 1024;

export interface OutboxEvent {
  id: string;
  subject: string;
  /** JSON text. */
  payload: string;
}

export interface PackedEvent {
  id: string;
  payload: unknown;
}

/**
 * Packs events, in order, into messages of consecutive events of one subject. The message id
 * is derived from every event id in the pack: a relay that publishes the same events again
 * after a failed commit makes the same packs, which JetStream drops as duplicates; a pack
 * that differs in any event (one committed meanwhile may sort between two others) gets a
 * new id, and the consumers' processed-event records skip the events they handled.
 */
export function packEvents(events: OutboxEvent[]): EventToPublish[] {
  const packs: EventToPublish[] = [];
  let start = 0;
  while (start < events.length) {
    const subject = events[start].subject;
    const parts: string[] = [];
    let chars = 2;
    let end = start;
    while (end < events.length && events[end].subject === subject && parts.length < PACK_MAX_EVENTS) {
      const part = `{"id":${JSON.stringify(events[end].id)},"payload":${events[end].payload}}`;
      if (parts.length > 0 && chars + part.length + 1 > PACK_MAX_CHARS) break;
      parts.push(part);
      chars += part.length + 1;
      end++;
    }
    packs.push({ subject, data: `[${parts.join(',')}]`, id: packId(events.slice(start, end)), pack: parts.length });
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

/** The events of a pack's body; throws if it is not one. */
export function unpackEvents(body: string): PackedEvent[] {
  const parsed: unknown = JSON.parse(body);
  if (!Array.isArray(parsed) || !parsed.every((e) => typeof e === 'object' && e !== null && typeof e.id === 'string' && 'payload' in e)) {
    throw new Error('not a pack of events');
  }
  return parsed as PackedEvent[];
}

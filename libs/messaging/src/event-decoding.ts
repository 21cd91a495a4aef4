import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { JsMsg } from 'nats';
import { PACK_HEADER, unpackEvents } from './event-pack';
import { EventHandler } from './event-handlers';
import { CORRELATION_ID_HEADER, isValidCorrelationId } from '@connector/workers';

export class ValidationFailure extends Error {}

/** One event of a delivered message, as read from it (not yet validated). */
export interface DecodedEvent {
  eventId: string;
  data?: unknown;
  /** The event as JSON text, for parking it. */
  raw: () => string;
  /** Set when the message could not be read at all. */
  unreadable?: string;
  /** The correlation id of the work that wrote it, if it came with one. */
  correlationId?: string;
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** An event's JSON text as data for validatedPayload (which says if it is not JSON). */
export function parseEvent(text: string): unknown {
  return parseJson(text);
}

/** A handler may throw anything, not only an Error. */
export function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Events in a message: a pack says how many it holds. */
export function eventsIn(msg: JsMsg): number {
  return Number(msg.headers?.get(PACK_HEADER)) || 1;
}

/** The events of a delivered message: a pack's, or the message itself. */
export function decodeEvents(msg: JsMsg, streamName: string): DecodedEvent[] {
  const messageId = msg.headers?.get('Nats-Msg-Id') || `${streamName}:${msg.seq}`;
  const body = msg.string();
  const header = msg.headers?.get(CORRELATION_ID_HEADER);
  const correlationId = isValidCorrelationId(header) ? header : undefined;
  if (msg.headers?.get(PACK_HEADER)) {
    try {
      return unpackEvents(body).map((e) => ({
        eventId: e.id,
        data: e.payload,
        raw: () => JSON.stringify(e.payload),
        correlationId: isValidCorrelationId(e.correlationId) ? e.correlationId : correlationId,
      }));
    } catch (err) {
      return [{ eventId: messageId, raw: () => body, unreadable: `not a pack of events: ${err.message}`, correlationId }];
    }
  }
  return [{ eventId: messageId, raw: () => body, data: parseJson(body), correlationId }];
}

/** The event as an instance of the handler's payload class, validated; a ValidationFailure if it is not one. */
export async function validatedPayload(data: unknown, { payloadClass, declared }: EventHandler): Promise<object> {
  if (data === NOT_JSON) throw new ValidationFailure('payload is not JSON');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ValidationFailure('payload is not a JSON object');
  // The handler gets, and so we check, only what its payload class declares: a consumer that
  // reads three fields of a large event neither pays for nor depends on the rest.
  const picked = Object.fromEntries(Object.entries(data).filter(([key]) => declared.has(key)));
  const payload = plainToInstance(payloadClass, picked);
  const errors = await validate(payload, { forbidUnknownValues: true });
  if (errors.length) {
    const fields = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? { nested: 'invalid' }).join(', ')}`);
    throw new ValidationFailure(`invalid ${payloadClass.name}: ${fields.join('; ')}`);
  }
  return payload;
}

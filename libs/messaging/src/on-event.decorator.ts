import { SetMetadata } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export const ON_EVENT = Symbol('connector:on-event');

export interface EventHandlerMetadata {
  subject: string;
  payloadClass: new () => object;
}

/** What a handler gets beside the event: its transaction, already holding the dedup record. */
export interface EventContext {
  manager: EntityManager;
  eventId: string;
  subject: string;
}

/**
 * Declares a handler of a domain event. The payload is validated against `payloadClass`
 * first; the handler runs in a transaction with the processed-event record and must do all
 * its writes through `context.manager`. The message is acked only after that commits.
 */
export const OnEvent = (subject: string, payloadClass: new () => object) =>
  SetMetadata(ON_EVENT, { subject, payloadClass } satisfies EventHandlerMetadata);

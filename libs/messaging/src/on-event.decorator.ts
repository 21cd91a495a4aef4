import { SetMetadata } from '@nestjs/common';
import type { EventContract } from '@connector/contracts';
import type { AfterCommit } from '@connector/workers';
import { EntityManager } from 'typeorm';

export const ON_EVENT = Symbol('connector:on-event');

export interface EventHandlerMetadata {
  subject: string;
  payloadClass: new () => object;
  /** Takes every event of a run in one call: `(events[], { manager })`. */
  batch?: boolean;
}

/** What a handler gets beside the event: its transaction, already holding the dedup record. */
export interface EventContext {
  manager: EntityManager;
  eventId: string;
  subject: string;
  /** Work for after the commit (waking a worker for the rows just written); dropped on rollback. */
  afterCommit: AfterCommit;
}

/**
 * Declares a handler of a domain event. The payload is validated against the contract's
 * payload class first; the handler runs in a transaction with the processed-event record and
 * must do all its writes through `context.manager`. The message is acked only after that
 * commits. A handler whose parameter does not take the contract's payload does not compile.
 */
export function OnEvent<Payload extends object>(contract: EventContract<Payload>) {
  return <Handler extends (event: Payload, context: EventContext) => Promise<unknown>>(target: object, method: string | symbol, descriptor: TypedPropertyDescriptor<Handler>): void => {
    SetMetadata(ON_EVENT, { subject: contract.subject, payloadClass: contract.payload } satisfies EventHandlerMetadata)(target, method, descriptor);
  };
}

/** What a batch handler gets beside its events: the transaction of the whole batch. */
export interface EventBatchContext {
  manager: EntityManager;
  subject: string;
  afterCommit: AfterCommit;
}

/**
 * Like @OnEvent, for a handler that takes the events of a batch together (in delivery order,
 * each already validated and new), to write them in a few statements instead of a few each.
 */
export function OnEvents<Payload extends object>(contract: EventContract<Payload>) {
  return <Handler extends (events: Payload[], context: EventBatchContext) => Promise<unknown>>(target: object, method: string | symbol, descriptor: TypedPropertyDescriptor<Handler>): void => {
    SetMetadata(ON_EVENT, { subject: contract.subject, payloadClass: contract.payload, batch: true } satisfies EventHandlerMetadata)(target, method, descriptor);
  };
}

/**
 * One descriptor per NATS message: its subject, version, payload class and (for requests) the
 * type of its answer. Callers, publishers and handlers take the descriptor, never a subject
 * string, so a wrong payload or reply type does not compile and the wire subject is written once.
 */

/** A class-validator class: the payload is validated against it before a handler sees it. */
export type PayloadClass<T extends object> = new () => T;

/**
 * The type of a request's answer, for the compiler only: answers are interfaces (views), so
 * nothing stands for them at run time.
 */
export interface ReplyType<T> {
  /** Never set; carries T. */
  readonly __reply?: T;
}

/** Names the answer type of a request contract: `reply: replyOf<Page<SalesOrderView>>()`. */
export const replyOf = <T>(): ReplyType<T> => ({});

/** A request/reply message: a service answers it (its queue group), one caller waits for the answer. */
export interface RequestContract<Payload extends object, Reply> {
  readonly kind: 'request';
  /** The subject on the wire, without the namespace; ends in `.v<version>`. */
  readonly subject: string;
  readonly version: number;
  readonly payload: PayloadClass<Payload>;
  readonly reply: ReplyType<Reply>;
  /**
   * Asking twice does what asking once does (a look-up, a find-or-create by key): a caller may
   * ask again when the first try got no answer, without doing the work twice.
   */
  readonly idempotent?: boolean;
}

/** A domain event: published through the outbox onto the stream, handled by durable consumers. */
export interface EventContract<Payload extends object> {
  readonly kind: 'event';
  /** The event subject on the stream, without `<namespace>.events.`; ends in `.v<version>`. */
  readonly subject: string;
  readonly version: number;
  readonly payload: PayloadClass<Payload>;
}

// Any payload and reply: for lists of contracts of different messages (nats-access, the catalog).
export type AnyRequestContract = RequestContract<any, any>;
export type AnyEventContract = EventContract<any>;
export type MessageContract = AnyRequestContract | AnyEventContract;

/** The payload type of a contract. */
export type PayloadOf<C> = C extends RequestContract<infer P, unknown> ? P : C extends EventContract<infer P> ? P : never;
/** The answer type of a request contract. */
export type ReplyOf<C> = C extends RequestContract<object, infer R> ? R : never;

export function requestContract<Payload extends object, Reply>(contract: {
  subject: string;
  version: number;
  payload: PayloadClass<Payload>;
  reply: ReplyType<Reply>;
  idempotent?: boolean;
}): RequestContract<Payload, Reply> {
  return Object.freeze({ kind: 'request' as const, ...contract });
}

export function eventContract<Payload extends object>(contract: { subject: string; version: number; payload: PayloadClass<Payload> }): EventContract<Payload> {
  return Object.freeze({ kind: 'event' as const, ...contract });
}

export function isMessageContract(value: unknown): value is MessageContract {
  const kind = (value as MessageContract | null)?.kind;
  return (kind === 'request' || kind === 'event') && typeof (value as MessageContract).subject === 'string';
}

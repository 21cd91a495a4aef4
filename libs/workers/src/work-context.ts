import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What the work under way is about, for every log line it writes: the correlation id of the
 * request or sync run it belongs to, and the seller account and Amazon order where known. Kept
 * in an AsyncLocalStorage, so it follows the work through awaits without being passed along; it
 * crosses processes as the `X-Correlation-Id` header of NATS requests and events (libs/platform's
 * ServiceClient and request server, libs/messaging's relay and consumers).
 */
export interface WorkContext {
  correlationId?: string;
  accountId?: string;
  amazonOrderId?: string;
}

/** The header that carries the correlation id over HTTP and NATS (requests and events alike). */
export const CORRELATION_ID_HEADER = 'X-Correlation-Id';
/** Also taken from an incoming HTTP request, as many proxies set it. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

const storage = new AsyncLocalStorage<WorkContext>();

/** The context of the work under way (empty outside any). */
export function workContext(): WorkContext {
  return storage.getStore() ?? {};
}

/**
 * Runs `work` in the current context with `fields` added (those given as undefined change
 * nothing), so what `work` logs carries them, and what it sends or writes carries the
 * correlation id.
 */
export function inWorkContext<T>(fields: WorkContext, work: () => T): T {
  const next: WorkContext = { ...storage.getStore() };
  for (const [key, value] of Object.entries(fields) as [keyof WorkContext, string | undefined][]) {
    if (value !== undefined && value !== null && value !== '') next[key] = value;
  }
  return storage.run(next, work);
}

/**
 * An id from outside is taken only if it is a short token (letters, digits, `-_.:`), so a
 * header cannot put anything else into logs or other services' headers.
 */
export function isValidCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value);
}

export function newCorrelationId(): string {
  return randomUUID();
}

/** The correlation id of the work under way, if it has one. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/**
 * Runs `work` in a context of its own (nothing of the current one kept): a request or event
 * from another process, or a sync run, starts one.
 */
export function inNewWorkContext<T>(context: WorkContext, work: () => T): T {
  return storage.run({}, () => inWorkContext(context, work));
}

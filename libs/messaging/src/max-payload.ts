/** NATS's max_payload when the server has not said (its default: 1 MiB). */
export const NATS_DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** The server's max_payload, as it said on connecting; NATS's default should it not say (while reconnecting). */
export function maxPayloadOf(nc: { info?: { max_payload?: number } } | null | undefined): number {
  return nc?.info?.max_payload ?? NATS_DEFAULT_MAX_PAYLOAD;
}

/**
 * What a request's or reply's JSON may take of a server's max_payload: the rest is left to its
 * headers and Nest's envelope (an eighth, at most 124 KiB: 900 KiB of the default 1 MiB).
 */
export function messageBudgetFor(maxPayload: number): number {
  return maxPayload - Math.min(124 * 1024, Math.floor(maxPayload / 8));
}

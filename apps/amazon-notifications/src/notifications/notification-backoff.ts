/**
 * Between tries of a notification Amazon did not take (a shipment confirmation, or a
 * cancellation back for a new feed): 2 s, 4 s, … up to 10 minutes, spread out so rows that
 * failed together do not come back together.
 */
export const NOTIFY_BACKOFF = { baseMs: 2000, maxMs: 600_000 };

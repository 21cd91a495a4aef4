import { ServiceError } from '@connector/platform';

/** A part another service could not give: it is down, silent, or failed. */
export const UNAVAILABLE = 'unavailable' as const;
export type Part<T> = T | typeof UNAVAILABLE;

/** Settles a part of an answer: its value, null when the service says it does not exist, else "unavailable". */
export function settlePart<T>(pending: Promise<T>): Promise<T | null | typeof UNAVAILABLE> {
  return pending.then(
    (value) => value ?? null,
    (err) => (err instanceof ServiceError && err.body.statusCode === 404 ? null : UNAVAILABLE),
  );
}
